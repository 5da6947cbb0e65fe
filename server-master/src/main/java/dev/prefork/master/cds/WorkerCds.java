package dev.prefork.master.cds;

import dev.prefork.core.config.ServerConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --worker-cds auto}: workers start from an AppCDS archive of their class path. The first launch without a
 * valid archive starts one training run in the background ({@link #TRAINING_MAIN} with
 * {@code -XX:ArchiveClassesAtExit}); workers launched after it finished use the archive, and so do all workers
 * of later masters while the class path, the JVM and the worker options stay the same (see
 * {@link CdsArchiveKey}). Every launch with an archive is checked: the worker must map the archive file (in
 * {@code /proc/PID/maps}) by the time its JVM is initialised; if it does not, the JVM rejected the archive, so it
 * is deleted and workers start without one. Nothing here can fail a worker's boot: every problem only turns the
 * archive off.
 */
public final class WorkerCds {
    private static final Logger log = LoggerFactory.getLogger(WorkerCds.class);
    public static final String TRAINING_MAIN = "dev.prefork.worker.runtime.CdsTraining";
    /** Options that show the user manages class-data sharing (or turned it off) through --worker-jvm-opts. */
    private static final List<String> USER_CDS_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:AOTCache", "-XX:AOTMode",
            "-XX:AOTConfiguration", "-XX:AOTCacheOutput", "-XX:DumpLoadedClassList", "-XX:SharedClassListFile",
            "-XX:-UseSharedSpaces");
    /**
     * Map the archive at its own address, so that its pages stay shared between workers (PSS); Java 20+ would
     * relocate it by default. The training run gets them too, so that a JVM without these options fails there
     * and never a worker.
     */
    static final List<String> SHARED_PAGES = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
    private static final int ARCHIVES_KEPT = 8;
    private static final long CHECK_PERIOD_MILLIS = 50;
    private static final long CHECK_GIVE_UP_MILLIS = 30_000;

    /** Runs the training JVM; completes with its exit code. */
    public interface Trainer {
        CompletableFuture<Integer> run(List<String> command, Path logFile) throws IOException;
    }

    /** What the check reads of a worker process; fakes in tests. */
    public interface ProcessView {
        /** The text of {@code /proc/PID/maps}, or null when the process is gone. */
        String maps(long pid);

        /** True once the JVM is initialised (its class-data sharing decided): it runs "Reference Handler". */
        boolean jvmInitialised(long pid);
    }

    /** Resolved on first need, so that with {@code --worker-cds off} no cache directory is created. */
    private Supplier<Path> unresolvedCacheDir;
    private Path cacheDir;
    private final List<Path> classPath;
    private final String runtime;
    private final Trainer trainer;
    private final ProcessView processes;
    private final ScheduledExecutorService checks;
    private final LongSupplier clockMillis;
    private final Predicate<Path> writable;
    private final Map<String, CompletableFuture<Void>> training = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Set<Path> proven = new HashSet<>();
    private boolean userManagedLogged;
    private boolean unarchivableLogged;
    private boolean readOnlyLogged;

    /**
     * @param cacheDir  where archives live (created 0700 if absent), or null to never use one
     * @param runtime   identifies the worker's Java runtime (part of the key)
     * @param checks    runs the post-launch checks
     */
    public WorkerCds(Path cacheDir, List<Path> classPath, String runtime, Trainer trainer, ProcessView processes,
                     ScheduledExecutorService checks, LongSupplier clockMillis) {
        this(() -> cacheDir, classPath, runtime, trainer, processes, checks, clockMillis, Files::isWritable);
    }

    /** @param writable whether the cache directory takes new archives (root ignores file modes: tests fake it) */
    WorkerCds(Path cacheDir, List<Path> classPath, String runtime, Trainer trainer, ProcessView processes,
              ScheduledExecutorService checks, LongSupplier clockMillis, Predicate<Path> writable) {
        this(() -> cacheDir, classPath, runtime, trainer, processes, checks, clockMillis, writable);
    }

    /** @param cacheDir finds (and creates) the cache directory, or gives null; called once, when first needed */
    WorkerCds(Supplier<Path> cacheDir, List<Path> classPath, String runtime, Trainer trainer, ProcessView processes,
              ScheduledExecutorService checks, LongSupplier clockMillis, Predicate<Path> writable) {
        this.writable = writable;
        this.unresolvedCacheDir = cacheDir;
        this.classPath = List.copyOf(classPath);
        this.runtime = runtime;
        this.trainer = trainer;
        this.processes = processes;
        this.checks = checks;
        this.clockMillis = clockMillis;
    }

    /**
     * The production set-up: archives in the user's cache directory (found, and created, only once
     * {@code --worker-cds} is on), trained by a niced JVM, checked in /proc.
     */
    public static WorkerCds standard(String classPath, Map<String, String> env) {
        return new WorkerCds(() -> CdsCacheDirectory.resolve(env), CdsArchiveKey.split(classPath),
                System.getProperty("java.home") + " " + System.getProperty("java.vm.version"), new JvmCdsTrainer(),
                new ProcWorkerView(),
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("prefork-cds-check", true)),
                System::currentTimeMillis, Files::isWritable);
    }

    /**
     * The options that start a worker from the archive, or none (no archive yet, off, or not possible). Starts
     * the training run when the archive is missing.
     *
     * @param trainingCommand the training JVM's command line, given its extra JVM options (with
     *                        {@code -XX:ArchiveClassesAtExit})
     */
    public synchronized List<String> optionsFor(ServerConfig config,
                                                Function<List<String>, List<String>> trainingCommand) {
        return optionsFor(keyOrNull(config), trainingCommand);
    }

    private List<String> optionsFor(String key, Function<List<String>, List<String>> trainingCommand) {
        if (key == null) {
            return List.of();
        }
        Path archive = archive(key);
        if (Files.isRegularFile(archive)) {
            List<String> options = new ArrayList<>();
            options.add("-XX:SharedArchiveFile=" + archive);
            options.add("-Xshare:auto");
            options.addAll(SHARED_PAGES);
            return options;
        }
        if (!training.containsKey(key) && canWrite(archive)) {
            training.put(key, train(key, archive, trainingCommand));
        }
        return List.of();
    }

    /**
     * {@code --prepare-worker-cds}: makes sure the archive for {@code config} exists, training it now if needed.
     *
     * @return completes with the archive, or empty when there is none and none can be made (off, user-managed
     *         options, a classes directory, a read-only cache, a failed training run: the log says which)
     */
    public synchronized CompletableFuture<Optional<Path>> prepare(ServerConfig config,
                                                                  Function<List<String>, List<String>> trainingCommand) {
        String key = keyOrNull(config);
        optionsFor(key, trainingCommand); // starts the training run unless the archive exists
        if (key == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Path archive = archive(key);
        return training.getOrDefault(key, CompletableFuture.completedFuture(null))
                .thenApply(done -> Files.isRegularFile(archive) ? Optional.of(archive) : Optional.<Path>empty());
    }

    /** The archive key for {@code config}, or null when workers run without an archive (logged once per cause). */
    private String keyOrNull(ServerConfig config) {
        if (!config.workerCds() || cacheDir() == null) {
            return null;
        }
        if (managedByUser(config.workerJvmOpts())) {
            if (!userManagedLogged) {
                userManagedLogged = true;
                log.info("--worker-cds auto: --worker-jvm-opts set class-data sharing options; no archive of ours is used");
            }
            return null;
        }
        String key;
        try {
            key = CdsArchiveKey.of(classPath, runtime, config.workerJvmOpts());
        } catch (IOException e) {
            log.warn("--worker-cds auto: cannot read the worker class path ({}); workers start without an archive", e.toString());
            return null;
        }
        if (key == null) {
            if (!unarchivableLogged) {
                unarchivableLogged = true;
                log.info("--worker-cds auto: the worker class path holds a directory, which AppCDS cannot archive; "
                        + "workers start without an archive (run from jars to get one)");
            }
            return null;
        }
        return failed.contains(key) ? null : key;
    }

    private synchronized Path cacheDir() {
        if (unresolvedCacheDir != null) {
            cacheDir = unresolvedCacheDir.get();
            unresolvedCacheDir = null;
        }
        return cacheDir;
    }

    /** A read-only cache (e.g. a baked archive on a read-only root file system) serves archives but gets none. */
    private boolean canWrite(Path archive) {
        if (writable.test(cacheDir)) {
            return true;
        }
        if (!readOnlyLogged) {
            readOnlyLogged = true;
            log.info("--worker-cds auto: the CDS cache {} is read-only and has no archive {} for this class path, JVM "
                    + "and worker options; workers start without an archive", cacheDir, archive.getFileName());
        }
        return false;
    }

    /** Checks, in the background, that a worker launched with {@code options} maps the archive. */
    public void launched(long pid, List<String> options) {
        Path archive = archiveIn(options);
        if (archive == null) {
            return;
        }
        long giveUpAt = clockMillis.getAsLong() + CHECK_GIVE_UP_MILLIS;
        checks.schedule(() -> check(pid, archive, giveUpAt), CHECK_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The training run of {@code key}, if one was started (tests wait on it). */
    synchronized CompletableFuture<Void> trainingOf(ServerConfig config) throws IOException {
        return training.get(CdsArchiveKey.of(classPath, runtime, config.workerJvmOpts()));
    }

    Path archive(String key) {
        return cacheDir().resolve("worker-" + key + ".jsa");
    }

    private void check(long pid, Path archive, long giveUpAt) {
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
                log.info("worker pid {} maps the CDS archive {}: workers load their classes from it", pid, archive);
            }
            return;
        }
        if (processes.jvmInitialised(pid)) {
            rejected(pid, archive);
            return;
        }
        if (clockMillis.getAsLong() < giveUpAt) {
            checks.schedule(() -> check(pid, archive, giveUpAt), CHECK_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
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
            failed.add(keyOf(archive));
        }
        log.warn("worker pid {} exited before it was seen mapping the CDS archive {}; in case the archive's options "
                + "stopped its JVM, workers start without the archive until the next master start", pid, archive);
    }

    private static String keyOf(Path archive) {
        String name = archive.getFileName().toString();
        return name.substring("worker-".length(), name.length() - ".jsa".length());
    }

    private void rejected(long pid, Path archive) {
        synchronized (this) {
            failed.add(keyOf(archive));
        }
        log.warn("worker pid {} did not map the CDS archive {}: its JVM rejected it (see the worker's [cds] lines); "
                + "deleted it, workers start without an archive until the next master start", pid, archive);
        try {
            Files.deleteIfExists(archive);
        } catch (IOException e) {
            log.warn("cannot delete rejected CDS archive {}: {}; delete it by hand", archive, e.toString());
        }
    }

    private CompletableFuture<Void> train(String key, Path archive,
                                          Function<List<String>, List<String>> trainingCommand) {
        Path partial = cacheDir.resolve("worker-" + key + ".jsa." + ProcessHandle.current().pid() + ".tmp");
        Path logFile = cacheDir.resolve("worker-" + key + ".log");
        long start = clockMillis.getAsLong();
        CompletableFuture<Integer> run;
        try {
            Files.deleteIfExists(partial);
            List<String> options = new ArrayList<>(SHARED_PAGES);
            options.add("-XX:ArchiveClassesAtExit=" + partial);
            run = trainer.run(trainingCommand.apply(options), logFile);
        } catch (IOException | RuntimeException e) {
            trainingFailed(key, "cannot start it: " + e, logFile);
            return CompletableFuture.completedFuture(null);
        }
        log.info("--worker-cds auto: creating the workers' CDS archive {} in the background (training run, log {})",
                archive, logFile);
        return run.handle((exit, error) -> {
            try {
                if (error == null && exit != null && exit == 0 && Files.size(partial) > 0) {
                    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    log.info("--worker-cds auto: CDS archive {} ({} MiB) made in {} ms; workers started from now on use it",
                            archive, Files.size(archive) >> 20, clockMillis.getAsLong() - start);
                    removeOldArchives(archive);
                } else {
                    trainingFailed(key, error != null ? error.toString() : "exit code " + exit, logFile);
                }
            } catch (IOException e) {
                trainingFailed(key, e.toString(), logFile);
            } finally {
                deleteQuietly(partial);
            }
            return null;
        });
    }

    private void trainingFailed(String key, String why, Path logFile) {
        synchronized (this) {
            failed.add(key);
        }
        log.warn("--worker-cds auto: the CDS training run failed ({}); workers start without an archive; see {}",
                why, logFile);
    }

    /** Keeps the newest archives (other class paths or JVMs may still use them); deletes stale partial files. */
    private void removeOldArchives(Path keep) {
        try (Stream<Path> files = Files.list(cacheDir)) {
            List<Path> archives = new ArrayList<>();
            long staleBefore = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith("worker-") && name.endsWith(".jsa") && !p.equals(keep)) {
                    archives.add(p);
                } else if (name.startsWith("worker-") && name.endsWith(".tmp")
                        && Files.getLastModifiedTime(p).toMillis() < staleBefore) {
                    deleteQuietly(p);
                }
            }
            archives.sort(Comparator.comparingLong(WorkerCds::modified).reversed());
            for (Path old : archives.subList(Math.min(archives.size(), ARCHIVES_KEPT - 1), archives.size())) {
                deleteQuietly(old);
                deleteQuietly(old.resolveSibling(old.getFileName().toString().replace(".jsa", ".log")));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot tidy the CDS cache {}: {}", cacheDir, e.toString());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover file is harmless; the next tidy-up retries.
        }
    }

    static boolean managedByUser(List<String> jvmOptions) {
        for (String opt : jvmOptions) {
            for (String cds : USER_CDS_OPTIONS) {
                if (opt.startsWith(cds)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Path archiveIn(List<String> options) {
        for (String opt : options) {
            if (opt.startsWith("-XX:SharedArchiveFile=")) {
                return Path.of(opt.substring("-XX:SharedArchiveFile=".length()));
            }
        }
        return null;
    }
}
