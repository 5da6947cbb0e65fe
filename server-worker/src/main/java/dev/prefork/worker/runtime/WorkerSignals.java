package dev.prefork.worker.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Signals sent to the worker itself: TERM drains (the same path as the master's Drain, without delay and without
 * a deadline of its own: the master owns the deadline, and its Drain, if one follows, sets it), INT
 * stops at once (Gunicorn's worker semantics; a terminal's Ctrl-C reaches every process of the group, and the
 * master then stops the pool itself). Uses {@code sun.misc.Signal}: jnr's raw handlers crash under signal storms.
 */
final class WorkerSignals {
    private static final Logger log = LoggerFactory.getLogger(WorkerSignals.class);

    private WorkerSignals() {
    }

    static void install(WorkerCommands commands) {
        handle("TERM", () -> commands.drain(DrainOrder.unbounded("SIGTERM", System.nanoTime())));
        handle("INT", () -> commands.stop("SIGINT"));
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), signal -> action.run());
        } catch (IllegalArgumentException e) {
            // -Xrs, or a signal the JVM reserves: keep the JVM's default.
            log.warn("cannot handle SIG{} in the worker ({}); it keeps the JVM's default action", name, e.getMessage());
        }
    }
}
