package dev.prefork.master.process;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.util.random.RandomGenerator;

/** Builds each worker's command-line settings from the configuration in force. */
public final class WorkerSettingsFactory {
    /** Heartbeats come at least this often, and at least 4 per timeout period so one late beat is not fatal. */
    static final long MAX_HEARTBEAT_MILLIS = 1000;
    static final long MIN_HEARTBEAT_MILLIS = 10;

    private final String controlSocket;
    private final int socketCount;
    private final long masterPid;
    private final RandomGenerator random;

    public WorkerSettingsFactory(String controlSocket, int socketCount, long masterPid, RandomGenerator random) {
        this.controlSocket = controlSocket;
        this.socketCount = socketCount;
        this.masterPid = masterPid;
        this.random = random;
    }

    /** The worker's segment file: in the control directory (0700, removed with it), one per worker id. */
    public java.nio.file.Path segmentPath(int workerId) {
        return java.nio.file.Path.of(controlSocket).resolveSibling("worker-" + workerId + ".seg");
    }

    /** @param segment the worker's segment file, or null when it has none */
    public WorkerSettings settings(int workerId, ServerConfig config, java.nio.file.Path segment) {
        return settings(workerId, config, segment, 0);
    }

    /**
     * A standby's settings: it receives {@code socketGroups} groups of the listening sockets (one per reuse-port
     * slot, else one) and serves one group once activated.
     *
     * @param segment the standby's segment file (it writes its figures while standing by), or null when it has none
     */
    public WorkerSettings standbySettings(int workerId, ServerConfig config, java.nio.file.Path segment,
            int socketGroups) {
        if (socketGroups < 1) {
            throw new IllegalArgumentException("a standby needs at least one socket group, not " + socketGroups);
        }
        return settings(workerId, config, segment, socketGroups);
    }

    private WorkerSettings settings(int workerId, ServerConfig config, java.nio.file.Path segment,
            int standbySocketGroups) {
        int sockets = socketCount * Math.max(1, standbySocketGroups);
        return new WorkerSettings(workerId, controlSocket, sockets, config.appClass(), masterPid,
                heartbeatMillis(config), config.keepAlive().toMillis(),
                config.headerTimeout().toMillis(), config.limitRequestLine(), config.limitRequestFields(),
                config.limitRequestFieldSize(), config.limitRequestBody(), maxRequests(config), config.accessLog(),
                config.threads().toString(), config.threadQueue(), config.requestTimeout().toMillis(),
                pathText(config.certFile()), pathText(config.keyFile()), pathText(config.caCerts()),
                config.certReqs().code(), String.join(",", config.ciphers()), config.tlsMinVersion(), config.http2(),
                config.http2MaxConcurrentStreams(), config.http2InitialWindowSize(), pathText(segment),
                standbySocketGroups);
    }

    /** Absolute, so a worker started in another directory reads the same file; "" for none. */
    private static String pathText(java.nio.file.Path path) {
        return path == null ? "" : path.toAbsolutePath().toString();
    }

    static long heartbeatMillis(ServerConfig config) {
        long timeoutMillis = config.timeout().toMillis();
        if (timeoutMillis == 0) {
            return MAX_HEARTBEAT_MILLIS;
        }
        return Math.max(MIN_HEARTBEAT_MILLIS, Math.min(MAX_HEARTBEAT_MILLIS, timeoutMillis / 4));
    }

    /** max-requests plus a random 0..jitter, so that workers do not all recycle at once; 0 stays off. */
    long maxRequests(ServerConfig config) {
        if (config.maxRequests() == 0) {
            return 0;
        }
        long jitter = config.maxRequestsJitter() == 0 ? 0 : random.nextLong(config.maxRequestsJitter() + 1);
        return config.maxRequests() + jitter;
    }
}
