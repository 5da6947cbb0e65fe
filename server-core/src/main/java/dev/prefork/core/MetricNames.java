package dev.prefork.core;

/** Micrometer meter names (Prometheus replaces the dots with underscores and adds {@code _total} to counters). */
public final class MetricNames {
    private MetricNames() {
    }

    /** Gauge, tag {@link #TAG_STATE}: workers by state. */
    public static final String WORKERS = "prefork.workers";
    /** Counter, tag {@link #TAG_REASON}: worker replacements by reason. */
    public static final String WORKER_RESTARTS = "prefork.worker.restarts";
    /** Gauge: children of the master now in state Z. */
    public static final String ZOMBIES = "prefork.zombies";
    /** Counter: children reaped by the master that it did not spawn (adopted orphans). */
    public static final String ZOMBIES_REAPED = "prefork.zombies.reaped";
    /** Timer: worker spawn to ready. */
    public static final String WORKER_BOOT = "prefork.worker.boot";
    /** Counter, tag {@link #TAG_REASON}: refused control-socket connections. */
    public static final String CONTROL_REJECTIONS = "prefork.control.rejections";
    /** Pool-wide sums of the worker heartbeats: requests served (never decreasing), in flight, open connections. */
    public static final String REQUESTS = "prefork.requests";
    public static final String REQUESTS_IN_FLIGHT = "prefork.requests.in.flight";
    public static final String CONNECTIONS_OPEN = "prefork.connections.open";
    /** Counter: requests answered 503 because they outran {@code --request-timeout}, all workers, from heartbeats. */
    public static final String REQUEST_TIMEOUTS = "prefork.request.timeouts";
    /**
     * Counter, tag {@link #TAG_REASON}: requests refused 503 at once, all workers, from heartbeats; reason
     * {@link #REASON_THREADS_FULL}: every handler thread of {@code --threads} was busy and {@code --thread-queue} full.
     */
    public static final String REQUESTS_REJECTED = "prefork.requests.rejected";
    /** The same figures per live worker, tag {@link #TAG_WORKER} (its id). */
    public static final String WORKER_REQUESTS = "prefork.worker.requests";
    public static final String WORKER_REQUESTS_IN_FLIGHT = "prefork.worker.requests.in.flight";
    public static final String WORKER_CONNECTIONS_OPEN = "prefork.worker.connections.open";
    /** Counters from the worker segments, pool-wide and per worker (tag {@link #TAG_WORKER}). */
    public static final String RECEIVED_BYTES = "prefork.received.bytes";
    public static final String WORKER_RECEIVED_BYTES = "prefork.worker.received.bytes";
    public static final String SENT_BYTES = "prefork.sent.bytes";
    public static final String WORKER_SENT_BYTES = "prefork.worker.sent.bytes";
    /** Counter, tag {@link #TAG_STATUS} ({@code 1xx} .. {@code 5xx}). */
    public static final String RESPONSES = "prefork.responses";
    public static final String WORKER_RESPONSES = "prefork.worker.responses";
    /** Histogram (seconds): request start to response, from the segments' fixed buckets. */
    public static final String REQUEST_DURATION = "prefork.request.duration.seconds";
    public static final String WORKER_REQUEST_DURATION = "prefork.worker.request.duration.seconds";
    public static final String WORKER_REQUEST_TIMEOUTS = "prefork.worker.request.timeouts";
    public static final String WORKER_REQUESTS_REJECTED = "prefork.worker.requests.rejected";
    /** Counter: worker segment reads refused by validation. */
    public static final String SEGMENT_REJECTED = "prefork.segment.rejected";
    /** Gauge: expiry of the TLS certificate being served, epoch seconds (the soonest among the workers). */
    public static final String TLS_CERTIFICATE_EXPIRY = "prefork.tls.certificate.expiry.timestamp.seconds";
    /**
     * A worker's JVM, tag {@link #TAG_WORKER} (from its segment, written by the native worker or an exec worker's
     * agent): heap used, committed and max (gauges, bytes), time in GC (counter, seconds) and GC collections
     * (counter), both summed over collectors, live threads (gauge).
     */
    public static final String WORKER_JVM_HEAP_USED = "prefork.worker.jvm.heap.used";
    public static final String WORKER_JVM_HEAP_COMMITTED = "prefork.worker.jvm.heap.committed";
    public static final String WORKER_JVM_HEAP_MAX = "prefork.worker.jvm.heap.max";
    public static final String WORKER_JVM_GC_PAUSE = "prefork.worker.jvm.gc.pause";
    public static final String WORKER_JVM_GC_COLLECTIONS = "prefork.worker.jvm.gc.collections";
    public static final String WORKER_JVM_THREADS_LIVE = "prefork.worker.jvm.threads.live";
    /** Native workers only (segment): heap in use after the last GC, direct buffers (bytes). */
    public static final String WORKER_JVM_HEAP_AFTER_GC = "prefork.worker.jvm.heap.after.gc";
    public static final String WORKER_JVM_DIRECT_BUFFER = "prefork.worker.jvm.direct.buffer";
    /** Native workers only (segment): VmRSS (bytes), CPU time (counter, seconds), uptime and loop lag (seconds). */
    public static final String WORKER_RESIDENT_MEMORY = "prefork.worker.resident.memory";
    public static final String WORKER_CPU = "prefork.worker.cpu";
    public static final String WORKER_UPTIME = "prefork.worker.uptime";
    public static final String WORKER_LOOP_LAG = "prefork.worker.loop.lag";
    /** The same summed over all workers (the GC counters include workers that are gone). */
    public static final String JVM_HEAP_USED = "prefork.jvm.heap.used";
    public static final String JVM_HEAP_COMMITTED = "prefork.jvm.heap.committed";
    public static final String JVM_HEAP_MAX = "prefork.jvm.heap.max";
    public static final String JVM_GC_PAUSE = "prefork.jvm.gc.pause";
    public static final String JVM_GC_COLLECTIONS = "prefork.jvm.gc.collections";
    public static final String JVM_THREADS_LIVE = "prefork.jvm.threads.live";

    public static final String TAG_STATE = "state";
    public static final String TAG_REASON = "reason";
    public static final String TAG_WORKER = "worker";
    public static final String TAG_STATUS = "status";

    public static final String STATE_BOOTING = "booting";
    public static final String STATE_READY = "ready";
    public static final String STATE_DRAINING = "draining";
    /** Booted, the application initialised, not accepting: waiting to take a serving worker's slot. */
    public static final String STATE_STANDBY = "standby";

    public static final String REASON_CRASHED = "crashed";
    public static final String REASON_TIMEOUT = "timeout";
    public static final String REASON_MAX_REQUESTS = "max_requests";
    public static final String REASON_RELOAD = "reload";
    /** Recycled for --max-worker-heap or --max-worker-rss. */
    public static final String REASON_MEMORY = "memory";
    public static final String REASON_BOOT_FAILED = "boot_failed";

    public static final String REASON_THREADS_FULL = "threads_full";
}
