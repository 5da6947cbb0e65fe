package dev.prefork.worker.tls;

import dev.prefork.core.tls.TlsFileException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the certificate and key files about once a second and swaps the worker's SSL context when their bytes
 * change; a failed load is logged once per distinct failure and retried on the next poll, so a rotation that
 * writes the certificate before the key settles as soon as both are in place.
 */
public final class CertificateRotation {
    private static final Logger log = LoggerFactory.getLogger(CertificateRotation.class);
    /** Rotation is seen within this period (plus a load); a poll that finds the files unchanged is a few stat calls. */
    public static final long POLL_MILLIS = 1_000;

    private final ServerTls tls;
    private final String who;
    private final Consumer<ServerTls> onRotated;
    private String lastFailure;

    private CertificateRotation(ServerTls tls, String who, Consumer<ServerTls> onRotated) {
        this.tls = tls;
        this.who = who;
        this.onRotated = onRotated;
    }

    /**
     * Starts polling on {@code loop}.
     *
     * @param who       the worker, for the log lines
     * @param onRotated runs on {@code loop} after new connections get a new certificate
     */
    public static void watch(ServerTls tls, ScheduledExecutorService loop, String who, Consumer<ServerTls> onRotated) {
        CertificateRotation rotation = new CertificateRotation(tls, who, onRotated);
        loop.scheduleWithFixedDelay(rotation::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            if (tls.reloadIfChanged()) {
                lastFailure = null;
                log.info("{} rotated its TLS certificate: new connections get {} (serial {}, expires {})", who,
                        tls.certificate().getSubjectX500Principal().getName(),
                        tls.certificate().getSerialNumber().toString(16), tls.notAfter());
                onRotated.accept(tls);
            }
        } catch (TlsFileException | SSLException | RuntimeException e) {
            String failure = e.getMessage() != null ? e.getMessage() : e.toString();
            if (!failure.equals(lastFailure)) {
                lastFailure = failure;
                log.warn("{} keeps its TLS certificate: the changed files do not load yet ({}); retrying every {} ms",
                        who, failure, POLL_MILLIS);
            }
        }
    }
}
