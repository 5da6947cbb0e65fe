package dev.prefork.master.control;

import dev.prefork.core.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs and counts refused control connections in {@code prefork.control.rejections{reason}}. */
final class Rejections {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** No valid handshake before the deadline. */
    static final String TIMEOUT = "timeout";
    /** Bytes that are not a frame, or a frame out of protocol order. */
    static final String GARBAGE = "garbage";
    /** SO_PEERCRED could not be read. */
    static final String NO_CREDENTIALS = "no_credentials";

    private final MeterRegistry registry;

    Rejections(MeterRegistry registry) {
        this.registry = registry;
    }

    /** @param workerId the id the peer claimed, or -1 before its Hello */
    void record(String reason, String detail, int workerId, int peerPid, int peerUid) {
        registry.counter(MetricNames.CONTROL_REJECTIONS, MetricNames.TAG_REASON, reason).increment();
        log.warn("control connection refused: reason={} detail=\"{}\" worker={} peer pid={} uid={}",
                reason, detail, workerId < 0 ? "?" : Integer.toString(workerId), peerPid, peerUid);
    }
}
