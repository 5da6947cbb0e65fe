package dev.prefork.master.supervisor;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces respawns after crashes: the delay doubles from {@code initial} to {@code max} with each step, and
 * resets once a worker spawned after the last crash has stayed ready for {@code stableAfter}. Crashes that come
 * within one delay of the last step (workers dying together from one cause) do not add a step. The reason is
 * logged once per step, not once per death.
 *
 * <p>Only a crash loop counts ({@link #countsTowardsBackoff}): a worker that dies before it is ready, or by its own
 * hand (an exit code, a JVM crash) within {@code stableAfter} of being ready. A worker SIGKILLed after it was
 * ready (the OOM killer, an operator, a chaos test) is replaced at once: counting those made independent kills
 * every few seconds grow the delay until the pool emptied.
 */
final class CrashBackoff {
    private static final Logger LOG = LoggerFactory.getLogger(CrashBackoff.class);

    /** The exit code of a process ended by SIGKILL, which a JVM never sends itself. */
    static final int KILLED_BY_SIGKILL = 128 + 9;

    private final long initialNanos;
    private final long maxNanos;
    private final long stableAfterNanos;
    private int step;
    private long lastStepAt;
    private long lastCrashAt;

    CrashBackoff(Duration initial, Duration max, Duration stableAfter) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.stableAfterNanos = stableAfter.toNanos();
    }

    static CrashBackoff standard() {
        return new CrashBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /**
     * Whether the death of a worker at {@code now}, ready since {@code readySince} ({@link WorkerHandle#NEVER} if it
     * never was), with this exit code (128 + signal when a signal ended it), belongs to a crash loop; only those
     * should be passed to {@link #crashed}.
     */
    boolean countsTowardsBackoff(long readySince, long now, int exitCode) {
        if (readySince == WorkerHandle.NEVER) {
            return true;
        }
        if (exitCode == KILLED_BY_SIGKILL) {
            return false;
        }
        return now - readySince < stableAfterNanos;
    }

    /** Records a crash; {@code what} says who died and how, for the one log line of a new step. */
    void crashed(long now, String what) {
        long window = Math.max(delayNanos(), initialNanos);
        boolean newStep = step == 0 || now - lastStepAt >= window;
        lastCrashAt = now;
        if (!newStep) {
            return;
        }
        lastStepAt = now;
        long before = delayNanos();
        if (before < maxNanos) {
            step++;
            LOG.warn("{}; respawning after {} ms (crash backoff step {}, cap {} ms)",
                    what, Duration.ofNanos(delayNanos()).toMillis(), step, Duration.ofNanos(maxNanos).toMillis());
        } else {
            LOG.warn("{}; still crashing, respawning after {} ms (crash backoff at its cap)",
                    what, Duration.ofNanos(maxNanos).toMillis());
        }
    }

    /** A worker ready since {@code readySince} is still ready at {@code now}: reset once the pool is stable. */
    void stillReady(long readySince, long now) {
        if (step > 0 && readySince - lastCrashAt > 0 && now - readySince >= stableAfterNanos) {
            LOG.info("workers stable for {} s; crash backoff reset", Duration.ofNanos(stableAfterNanos).toSeconds());
            step = 0;
        }
    }

    boolean allowsSpawn(long now) {
        return step == 0 || now - lastCrashAt >= delayNanos();
    }

    /** The current delay between a crash and the respawn: 0 before any crash. */
    long delayNanos() {
        if (step == 0) {
            return 0;
        }
        long delay = initialNanos;
        for (int i = 1; i < step && delay < maxNanos; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxNanos);
    }

    int step() {
        return step;
    }
}
