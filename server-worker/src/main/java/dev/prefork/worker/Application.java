package dev.prefork.worker;

import io.netty.channel.ChannelPipeline;

/**
 * An application served by Prefork. Each worker JVM loads the class named on the command line, creates one
 * instance through its public no-argument constructor, calls {@link #init} once, then serves requests with
 * {@link #handler()} until it is drained, when it calls {@link #close()}.
 *
 * <p>Requests of one connection are handled one at a time, in order, on that connection's event loop thread.
 * Never block that thread: answer later through the returned {@link java.util.concurrent.CompletionStage}
 * (schedule timers on {@link HttpRequest#eventLoop()}, hand blocking work to your own executor). A blocked
 * event loop shows up as loop lag in the worker's heartbeat, and the master replaces a worker whose lag
 * exceeds {@code --timeout}.
 */
public interface Application {

    /**
     * Runs once per worker before it accepts connections (Gunicorn's {@code post_fork}): open pools, warm
     * caches. An exception stops the worker with a boot error, and the master stops the server instead of
     * respawning workers that cannot boot.
     */
    default void init(WorkerContext context) throws Exception {
    }

    /** The request handler; called once, after {@link #init}. */
    HttpHandler handler();

    /**
     * Escape hatch for power users: install your own Netty handlers on a newly accepted connection.
     * Return {@code true} to take the connection over completely: the worker then adds nothing (no HTTP codec,
     * request limits, timeouts, keep-alive handling or request counting; only the open-connection count and the
     * drain deadline still apply, so check {@link WorkerContext#isDraining()} and close idle connections
     * yourself). Return {@code false} (the default) to get the standard HTTP/1.1 pipeline and
     * {@link #handler()}. Called on the connection's event loop.
     */
    default boolean configurePipeline(ChannelPipeline pipeline, WorkerContext context) {
        return false;
    }

    /** Runs once when the worker has drained (no connection left, or the graceful timeout passed). */
    default void close() throws Exception {
    }
}
