package dev.prefork.worker;

import io.netty.channel.EventLoopGroup;

/** What an application can know about the worker serving it. Thread-safe. */
public interface WorkerContext {

    /** The master's id for this worker: stable in logs, not a pid. 0 when served by a single process. */
    int workerId();

    /** The pid of this worker JVM. */
    long pid();

    /**
     * The event loops that serve connections; a {@link java.util.concurrent.ScheduledExecutorService} for
     * short non-blocking async work and timers. Never block them.
     */
    EventLoopGroup eventLoops();

    /** True once the worker has stopped accepting and is finishing its connections. */
    boolean isDraining();

    /**
     * True when the worker runs with {@code --threads} (N or virtual), so {@link #blocking} can be used.
     */
    boolean hasHandlerThreads();

    /**
     * An {@link HttpHandler} that runs {@code handler} on this worker's handler threads ({@code --threads}),
     * never on the event loop. A request that finds the pool full (every thread busy and {@code --thread-queue}
     * requests waiting) is answered 503 at once with {@code Retry-After: 1}. Call it once, e.g. in
     * {@link Application#init} or {@link Application#handler()}, and route the requests that block to it.
     *
     * @throws IllegalStateException when the worker runs without {@code --threads}
     */
    HttpHandler blocking(BlockingHttpHandler handler);

    /**
     * The counter {@code name} in this worker's segment, created at 0 on the first call and the same one after; the
     * master aggregates it over the workers at scrape time (e.g. cache hits). Names are Prometheus-safe
     * ({@code [a-zA-Z_][a-zA-Z0-9_]*}), at most 48 bytes; a worker holds at most 64 counters and gauges together.
     *
     * @throws IllegalArgumentException for a bad name, a name already used by a gauge, or when all 64 are taken
     */
    AppCounter counter(String name);

    /**
     * The gauge {@code name} in this worker's segment (e.g. cache entries), like {@link #counter} but a level the
     * master sums over the live workers.
     *
     * @throws IllegalArgumentException for a bad name, a name already used by a counter, or when all 64 are taken
     */
    AppGauge gauge(String name);
}
