package dev.prefork.master.cds;

import dev.prefork.core.config.ServerConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --worker-cds auto}: workers start from a class-data archive of their class path, an AppCDS archive or,
 * on Java 25+, an AOT cache ({@link CdsFormat}). This class decides: which archive a configuration gets
 * ({@link CdsArchiveKey}), whether it can have one, and turns an archive off when it fails. The first launch
 * without a valid archive starts one training run in the background ({@link CdsTrainingRun}); workers launched after it finished use the archive ({@link CdsArchiveStore}), and so
 * do all workers of later masters while the class path, the JVM and the worker options stay the same. Every
 * launch with an archive is checked ({@link CdsMapCheck}). Nothing here can fail a worker's boot: every problem
 * only turns the archive off.
 */
public final class WorkerCds {
    private static final Logger log = LoggerFactory.getLogger(WorkerCds.class);
    public static final String TRAINING_MAIN = CdsTrainingRun.TRAINING_MAIN;
    /** Options that show the user manages class-data sharing (or turned it off) through --worker-jvm-opts. */
    private static final List<String> USER_CDS_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:AOTCache", "-XX:AOTMode",
            "-XX:AOTConfiguration", "-XX:AOTCacheOutput", "-XX:DumpLoadedClassList", "-XX:SharedClassListFile",
            "-XX:-UseSharedSpaces");
    private final CdsFormat format;
    private final CdsArchiveStore store;
    private final CdsTrainingRun trainingRun;
    private final CdsMapCheck mapCheck;
    private final List<Path> classPath;
    private final String runtime;
    private final Map<String, CompletableFuture<Void>> training = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private boolean userManagedLogged;
    private boolean unarchivableLogged;
    private boolean readOnlyLogged;

    /**
     * @param cacheDir  where archives live (created 0700 if absent), or null to never use one
     * @param runtime   identifies the worker's Java runtime (part of the key)
     * @param checks    runs the post-launch checks
     * @param masterPid names this master's partial archive files
     */
    WorkerCds(Path cacheDir, List<Path> classPath, String runtime, CdsTrainingRun.Trainer trainer,
                     CdsMapCheck.ProcessView processes, ScheduledExecutorService checks, InstantSource clock,
                     long masterPid) {
        this(CdsFormat.APP_CDS, () -> cacheDir, classPath, runtime, trainer, processes, checks, clock, masterPid,
                Files::isWritable);
    }

    /**
     * @param cacheDir finds (and creates) the cache directory, or gives null; called once, when first needed
     * @param writable whether the cache directory takes new archives (root ignores file modes: tests fake it)
     */
    WorkerCds(CdsFormat format, Supplier<Path> cacheDir, List<Path> classPath, String runtime, CdsTrainingRun.Trainer trainer,
              CdsMapCheck.ProcessView processes, ScheduledExecutorService checks, InstantSource clock, long masterPid,
              Predicate<Path> writable) {
        this.format = format;
        this.store = new CdsArchiveStore(cacheDir, writable, clock, format);
        this.trainingRun = new CdsTrainingRun(store, format, trainer, clock, masterPid);
        this.mapCheck = new CdsMapCheck(processes, checks, clock, this::turnOff);
        this.classPath = List.copyOf(classPath);
        this.runtime = runtime;
    }

    /**
     * The production set-up: archives in the user's cache directory (found, and created, only once
     * {@code --worker-cds} is on), in the format for this JVM (workers run the master's Java), trained by a niced
     * JVM, checked in /proc; this JVM's pid (the master's) names its partial archive files.
     */
    public static WorkerCds standard(String classPath, Map<String, String> env) {
        return new WorkerCds(CdsFormat.forJava(Runtime.version().feature(), System.getProperty(CdsFormat.PROPERTY)),
                () -> CdsCacheDirectory.resolve(env), CdsArchiveKey.split(classPath),
                System.getProperty("java.home") + " " + System.getProperty("java.vm.version"), new JvmCdsTrainer(),
                new ProcWorkerView(),
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("prefork-cds-check", true)),
                InstantSource.system(), ProcessHandle.current().pid(), Files::isWritable);
    }

    /**
     * The options that start a worker from the archive, or none (no archive yet, off, or not possible). Starts
     * the training run when the archive is missing.
     *
     * @param trainingCommand the training JVM's command line, given its extra JVM options (with
     *                        {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput})
     */
    public synchronized List<String> optionsFor(ServerConfig config,
                                                Function<List<String>, List<String>> trainingCommand) {
        return optionsFor(keyOrNull(config), trainingCommand);
    }

    private List<String> optionsFor(String key, Function<List<String>, List<String>> trainingCommand) {
        if (key == null) {
            return List.of();
        }
        Path archive = store.archive(key);
        if (Files.isRegularFile(archive)) {
            return format.workerOptions(archive);
        }
        if (!training.containsKey(key) && canWrite(archive)) {
            training.put(key, trainingRun.start(key, trainingCommand).thenAccept(made -> {
                if (!made) {
                    synchronized (this) {
                        failed.add(key);
                    }
                }
            }));
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
        Path archive = store.archive(key);
        return training.getOrDefault(key, CompletableFuture.completedFuture(null))
                .thenApply(done -> Files.isRegularFile(archive) ? Optional.of(archive) : Optional.<Path>empty());
    }

    /** The archive key for {@code config}, or null when workers run without an archive (logged once per cause). */
    private String keyOrNull(ServerConfig config) {
        if (!config.workerCds() || store.dir() == null) {
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
            key = CdsArchiveKey.of(classPath, runtime, format, config.workerJvmOpts());
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

    /** A read-only cache (e.g. a baked archive on a read-only root file system) serves archives but gets none. */
    private boolean canWrite(Path archive) {
        if (store.writable()) {
            return true;
        }
        if (!readOnlyLogged) {
            readOnlyLogged = true;
            log.info("--worker-cds auto: the CDS cache {} is read-only and has no archive {} for this class path, JVM "
                    + "and worker options; workers start without an archive", store.dir(), archive.getFileName());
        }
        return false;
    }

    /** Checks, in the background, that a worker launched with {@code options} maps the archive. */
    public void launched(long pid, List<String> options) {
        format.archiveIn(options).ifPresent(archive -> mapCheck.launched(pid, archive, format));
    }

    private void turnOff(Path archive, boolean delete) {
        synchronized (this) {
            failed.add(CdsArchiveStore.keyOf(archive));
        }
        if (delete) {
            store.delete(archive);
        }
    }

    /** The training run of {@code key}, if one was started (tests wait on it). */
    synchronized CompletableFuture<Void> trainingOf(ServerConfig config) throws IOException {
        return training.get(CdsArchiveKey.of(classPath, runtime, format, config.workerJvmOpts()));
    }

    Path archive(String key) {
        return store.archive(key);
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
}
