package dev.prefork.master.cds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: a JVM ({@link #TRAINING_MAIN}) walks the worker's boot path with the format's training option
 * ({@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput}) into a partial file, which becomes the archive
 * only if the run exits 0.
 * Whatever goes wrong is logged with the run's log file and completes the run with false: never an exception.
 */
final class CdsTrainingRun {
    private static final Logger log = LoggerFactory.getLogger(CdsTrainingRun.class);
    static final String TRAINING_MAIN = "dev.prefork.worker.runtime.CdsTraining";

    /** Runs the training JVM; completes with its exit code. */
    interface Trainer {
        CompletableFuture<Integer> run(List<String> command, Path logFile) throws IOException;
    }

    private final CdsArchiveStore store;
    private final CdsFormat format;
    private final Trainer trainer;
    private final InstantSource clock;
    private final long masterPid;

    CdsTrainingRun(CdsArchiveStore store, CdsFormat format, Trainer trainer, InstantSource clock, long masterPid) {
        this.store = store;
        this.format = format;
        this.trainer = trainer;
        this.clock = clock;
        this.masterPid = masterPid;
    }

    /**
     * Starts the run for {@code key}.
     *
     * @param trainingCommand the training JVM's command line, given its extra JVM options
     * @return completes with true once the archive is in place, false when the run failed (logged)
     */
    CompletableFuture<Boolean> start(String key, Function<List<String>, List<String>> trainingCommand) {
        Path partial = store.partial(key, masterPid);
        Path logFile = store.trainingLog(key);
        long start = clock.millis();
        CompletableFuture<Integer> run;
        try {
            Files.deleteIfExists(partial);
            run = trainer.run(trainingCommand.apply(format.trainingOptions(partial)), logFile);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(failed("cannot start it: " + e, logFile));
        }
        log.info("--worker-cds auto: creating the workers' CDS archive {} ({}) in the background (training run, log {})",
                store.archive(key), format.displayName(), logFile);
        return run.handle((exit, error) -> {
            try {
                if (error == null && exit != null && exit == 0 && Files.size(partial) > 0) {
                    Path archive = store.publish(partial, key);
                    log.info("--worker-cds auto: CDS archive {} ({}, {} MiB) made in {} ms; workers started from now on use it",
                            archive, format.displayName(), Files.size(archive) >> 20, clock.millis() - start);
                    return true;
                }
                return failed(error != null ? error.toString() : "exit code " + exit, logFile);
            } catch (IOException e) {
                return failed(e.toString(), logFile);
            } finally {
                CdsArchiveStore.deleteQuietly(partial);
            }
        });
    }

    private static boolean failed(String why, Path logFile) {
        log.warn("--worker-cds auto: the CDS training run failed ({}); workers start without an archive; see {}",
                why, logFile);
        return false;
    }
}
