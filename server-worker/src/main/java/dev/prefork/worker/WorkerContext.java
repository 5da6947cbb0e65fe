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
}
