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
}
