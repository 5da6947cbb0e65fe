package dev.prefork.master.supervisor;

import dev.prefork.core.control.ControlMessage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one computation of a drain's deadlines, on the master's clock: workers accept until {@code acceptUntil},
 * and are gone by {@code killAt} (the README's budget: drain delay + graceful timeout from the TERM). The worker
 * gets the same deadline in its {@link ControlMessage.Drain}, as durations from the send, and the master SIGKILLs
 * at {@code killAt}: one deadline, whatever HUP changed since the worker started.
 *
 * @param acceptUntil when workers stop accepting (nanos, the supervisor's clock)
 * @param killAt      when whatever is left is closed by the worker and killed by the master
 */
record DrainBudget(long acceptUntil, long killAt) {

    DrainBudget {
        if (killAt - acceptUntil < 0) {
            throw new IllegalArgumentException("a drain's deadline precedes its end of accepting");
        }
    }

    /** Keep accepting for {@code acceptFor}, then finish within {@code gracefulTimeout}. */
    static DrainBudget of(long now, Duration acceptFor, Duration gracefulTimeout) {
        long acceptUntil = now + acceptFor.toNanos();
        return new DrainBudget(acceptUntil, acceptUntil + gracefulTimeout.toNanos());
    }

    /** The Drain frame sent at {@code now}: what is left of each period, rounded down to milliseconds. */
    ControlMessage.Drain messageAt(long now) {
        long finish = TimeUnit.NANOSECONDS.toMillis(Math.max(0, killAt - now));
        long accept = Math.min(finish, TimeUnit.NANOSECONDS.toMillis(Math.max(0, acceptUntil - now)));
        return new ControlMessage.Drain(accept, finish);
    }
}
