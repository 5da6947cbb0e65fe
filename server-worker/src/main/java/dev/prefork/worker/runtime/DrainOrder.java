package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlMessage;
import java.util.concurrent.TimeUnit;

/**
 * A drain as this worker received it, on its own clock: keep accepting until {@code acceptUntilNanos}, and close
 * what is left at {@code deadlineNanos}. The master computes the deadline once and sends it as durations
 * ({@link ControlMessage.Drain}); they are turned into instants here, at receipt, so that a drain that waits for
 * the boot to end keeps its deadline.
 *
 * @param bounded false for the worker's own SIGTERM, which has no deadline of its own: the master owns the
 *                deadline (it SIGKILLs at it), and a Drain from the master may set one later
 */
record DrainOrder(long acceptUntilNanos, long deadlineNanos, boolean bounded, String reason) {

    static DrainOrder fromMaster(ControlMessage.Drain drain, long receivedAtNanos) {
        return new DrainOrder(receivedAtNanos + TimeUnit.MILLISECONDS.toNanos(drain.acceptForMillis()),
                receivedAtNanos + TimeUnit.MILLISECONDS.toNanos(drain.finishWithinMillis()), true, "the master's Drain");
    }

    /** Stop accepting at once, no deadline of the worker's own. */
    static DrainOrder unbounded(String reason, long nowNanos) {
        return new DrainOrder(nowNanos, 0, false, reason);
    }

    /** Whether this order's deadline comes before {@code other}'s (an unbounded one never does). */
    boolean endsBefore(DrainOrder other) {
        return bounded && (!other.bounded || deadlineNanos - other.deadlineNanos < 0);
    }
}
