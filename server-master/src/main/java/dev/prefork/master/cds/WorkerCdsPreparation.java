package dev.prefork.master.cds;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --prepare-worker-cds}: makes the workers' AppCDS archive in the foreground and exits, serving nothing, so
 * that a container image can carry a ready archive (a {@code RUN} step after the jar is in place) and no pod
 * trains at start. The archive is the one a master with the same class path, JVM, worker options and
 * {@code -Dprefork.cdsDir} looks up. Exit 0 when the archive exists afterwards, 1 when there is none (the log
 * says why), so that an image build fails rather than ship without it.
 */
public final class WorkerCdsPreparation {
    private static final Logger log = LoggerFactory.getLogger(WorkerCdsPreparation.class);
    /** Beyond the training run's own limit ({@link JvmCdsTrainer}), which kills it: a backstop, never reached. */
    static final Duration TIMEOUT = Duration.ofSeconds(180);

    private WorkerCdsPreparation() {
    }

    /**
     * Waits for the archive being prepared (by the launcher, with this JVM's class path and Java and the cache
     * directory a master would use); exit 0 when it exists, 1 when workers would start without one.
     */
    public static int await(CompletableFuture<Optional<Path>> prepared, ServerConfig config) {
        return await(prepared, config, TIMEOUT);
    }

    /** As {@link #await(CompletableFuture, ServerConfig)}, waiting at most {@code timeout}. */
    static int await(CompletableFuture<Optional<Path>> prepared, ServerConfig config, Duration timeout) {
        if (!config.workerCds()) {
            log.error("--prepare-worker-cds: --worker-cds is off, so workers use no archive; nothing to prepare");
            return ExitCodes.RUNTIME_FAILURE;
        }
        long start = System.nanoTime();
        Optional<Path> archive;
        try {
            archive = prepared.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("--prepare-worker-cds: no CDS archive after {} s; giving up", timeout.toSeconds());
            return ExitCodes.RUNTIME_FAILURE;
        } catch (ExecutionException e) {
            log.error("--prepare-worker-cds: making the CDS archive failed: {}", e.getCause().toString());
            return ExitCodes.RUNTIME_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.RUNTIME_FAILURE;
        }
        if (archive.isEmpty()) {
            log.error("--prepare-worker-cds: workers would start without a CDS archive (see the lines above); "
                    + "check -Dprefork.cdsDir, --worker-jvm-opts and that the class path is jars only");
            return ExitCodes.RUNTIME_FAILURE;
        }
        log.info("--prepare-worker-cds: workers will start from the CDS archive {} (ready after {} ms)", archive.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return ExitCodes.OK;
    }
}
