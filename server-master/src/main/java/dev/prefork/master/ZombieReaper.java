package dev.prefork.master;

import dev.prefork.master.os.Posix;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongPredicate;

/**
 * Counts the master's children in state Z ({@code /proc/self/task/*}{@code /children}, then {@code /proc/PID/stat})
 * for the gauge {@code prefork.zombies}, and reaps the ones the JDK did not spawn (adopted orphans) with
 * {@code waitpid(pid, WNOHANG)}, counting {@code prefork.zombies.reaped}. TODO(H2b): implement.
 */
public final class ZombieReaper {

    /** @param spawnedByJdk true for pids the JDK launched (it reaps those itself) */
    public ZombieReaper(Posix posix, LongPredicate spawnedByJdk, MeterRegistry registry) {
    }

    /** One scan: returns how many zombies were seen (before reaping). Safe to call from the supervision loop. */
    public int scan() {
        return 0;
    }
}
