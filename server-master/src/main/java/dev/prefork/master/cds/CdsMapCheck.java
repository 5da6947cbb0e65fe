package dev.prefork.master.cds;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, in the background, that a worker launched with an archive maps it ({@code /proc/PID/maps}) by the time
 * its JVM is initialised. The first worker that does proves the archive (logged once). One whose JVM initialised
 * without it rejected the archive, and one that exited before any worker proved it may have been stopped by it:
 * either turns the archive off through {@link Verdicts}.
 */
final class CdsMapCheck {
    private static final Logger log = LoggerFactory.getLogger(CdsMapCheck.class);
    private static final long PERIOD_MILLIS = 50;
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    /** What the check reads of a worker process; fakes in tests. */
    interface ProcessView {
        /** The text of {@code /proc/PID/maps}, or null when the process is gone. */
        String maps(long pid);

        /** True once the JVM is initialised (its class-data sharing decided): it runs "Reference Handler". */
        boolean jvmInitialised(long pid);
    }

    /** What becomes of an archive that failed its check. */
    interface Verdicts {
        /** Workers start without {@code archive} until the master restarts; {@code delete}: it is bad, remove it. */
        void turnOff(Path archive, boolean delete);
    }

    private final ProcessView processes;
    private final ScheduledExecutorService checks;
    private final InstantSource clock;
    private final Verdicts verdicts;
    private final Set<Path> proven = new HashSet<>();

    CdsMapCheck(ProcessView processes, ScheduledExecutorService checks, InstantSource clock, Verdicts verdicts) {
        this.processes = processes;
        this.checks = checks;
        this.clock = clock;
        this.verdicts = verdicts;
    }

    /** Starts checking worker {@code pid}, launched with {@code archive}. */
    void launched(long pid, Path archive, CdsFormat format) {
        long giveUpAt = clock.millis() + GIVE_UP.toMillis();
        checks.schedule(() -> check(pid, archive, format, giveUpAt), PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void check(long pid, Path archive, CdsFormat format, long giveUpAt) {
        String maps = processes.maps(pid);
        if (maps == null) {
            exitedUnchecked(pid, archive);
            return;
        }
        if (maps.contains(archive.toString())) {
            boolean first;
            synchronized (this) {
                first = proven.add(archive);
            }
            if (first) {
                log.info("worker pid {} maps the CDS archive {}: workers load their classes from it ({})", pid, archive,
                        format.displayName());
            }
            return;
        }
        if (processes.jvmInitialised(pid)) {
            log.warn("worker pid {} did not map the CDS archive {} ({}): its JVM rejected it and booted without it (see "
                    + "the worker's [cds] or [aot] lines); deleted it, workers start without an archive until the next "
                    + "master start", pid, archive, format.displayName());
            verdicts.turnOff(archive, true);
            return;
        }
        if (clock.millis() < giveUpAt) {
            checks.schedule(() -> check(pid, archive, format, giveUpAt), PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A worker that exits before its JVM mapped the archive may have been killed early, or the CDS options may
     * have stopped its JVM: unless another worker proved the archive, start later workers without it.
     */
    private void exitedUnchecked(long pid, Path archive) {
        synchronized (this) {
            if (proven.contains(archive)) {
                return;
            }
        }
        log.warn("worker pid {} exited before it was seen mapping the CDS archive {}; in case the archive's options "
                + "stopped its JVM, workers start without the archive until the next master start", pid, archive);
        verdicts.turnOff(archive, false);
    }
}
