package dev.prefork.master.cds;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kind of class-data archive workers start from, with the JVM options that make one (in the training run) and
 * use one (in each worker). Which one a master uses follows its Java version ({@link #forJava}).
 */
enum CdsFormat {
    /**
     * A dynamic AppCDS archive on top of the JDK's own ({@code -XX:ArchiveClassesAtExit}, then
     * {@code -XX:SharedArchiveFile}), Java 13+. On Java 22+ the worker's {@code --enable-native-access} differs
     * from how the JDK's base archive was dumped, so such a worker loses the archived module graph.
     */
    APP_CDS("appcds", "AppCDS archive", ".jsa", "-XX:ArchiveClassesAtExit=", List.of(), "-XX:SharedArchiveFile=",
            List.of("-Xshare:auto")),
    /**
     * A JDK 25 AOT cache (JEP 483/514): one static archive of the JDK's and the application's classes, loaded and
     * linked, with the module graph as the worker's options build it. Made in one step ({@code -XX:AOTCacheOutput}:
     * the training JVM assembles it at exit), used with {@code -XX:AOTCache}; {@code -XX:AOTMode=auto} makes a
     * worker that cannot use it start without it. Without the training run's method profiles (JEP 515,
     * {@code -XX:-AOTRecordTraining}): replaying them made each worker's JIT compile at once, 100 ms more CPU per
     * boot on these 2 cores, and made the cache's written (per-worker) pages larger.
     */
    AOT_CACHE("aot", "AOT cache", ".aot", "-XX:AOTCacheOutput=", List.of("-XX:-AOTRecordTraining"), "-XX:AOTCache=",
            List.of("-XX:AOTMode=auto"));

    private static final Logger log = LoggerFactory.getLogger(CdsFormat.class);
    /** The master's system property that picks a format against the default (e.g. to compare them). */
    static final String PROPERTY = "prefork.cdsFormat";
    /** The first Java with one-step AOT cache training ({@code -XX:AOTCacheOutput}, JEP 514). */
    static final int AOT_CACHE_SINCE = 25;
    /**
     * Map the archive at its own address, so that its pages stay shared between workers (PSS); Java 20+ would
     * relocate it by default. The training run gets them too, so that a JVM without these options fails there
     * and never a worker.
     */
    static final List<String> SHARED_PAGES = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

    private final String id;
    private final String displayName;
    private final String extension;
    private final String trainingOption;
    private final List<String> trainingExtras;
    private final String workerOption;
    private final List<String> workerExtras;

    CdsFormat(String id, String displayName, String extension, String trainingOption, List<String> trainingExtras,
              String workerOption, List<String> workerExtras) {
        this.id = id;
        this.displayName = displayName;
        this.extension = extension;
        this.trainingOption = trainingOption;
        this.trainingExtras = trainingExtras;
        this.workerOption = workerOption;
        this.workerExtras = workerExtras;
    }

    /**
     * The format for a worker JVM of Java {@code feature}: the AOT cache from Java 25 on, where it booted workers
     * faster than AppCDS in every side-by-side run, by wall clock and CPU, with PSS within 1-3 MiB either way
     * (BENCHMARKS.md), else AppCDS; {@code requested} (the {@link #PROPERTY} value,
     * or null) overrides it where that Java supports the format asked for, otherwise it is logged and ignored.
     */
    static CdsFormat forJava(int feature, String requested) {
        CdsFormat best = feature >= AOT_CACHE_SINCE ? AOT_CACHE : APP_CDS;
        if (requested == null || requested.isBlank()) {
            return best;
        }
        Optional<CdsFormat> asked = byId(requested);
        if (asked.isEmpty()) {
            log.warn("-D{}={}: not appcds or aot; workers use the {} for Java {}", PROPERTY, requested,
                    best.displayName, feature);
            return best;
        }
        if (asked.get() == AOT_CACHE && feature < AOT_CACHE_SINCE) {
            log.warn("-D{}=aot: Java {} has no one-step AOT cache (Java {}+); workers use the {}", PROPERTY, feature,
                    AOT_CACHE_SINCE, best.displayName);
            return best;
        }
        return asked.get();
    }

    private static Optional<CdsFormat> byId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (CdsFormat f : values()) {
            if (f.id.equals(wanted)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Short name, part of the archive key and of log lines ({@code appcds}, {@code aot}). */
    String id() {
        return id;
    }

    String displayName() {
        return displayName;
    }

    /** The archive file's extension, with its dot. */
    String extension() {
        return extension;
    }

    /** The training JVM's extra options, writing the archive to {@code partial} (diagnostic ones after the unlock). */
    List<String> trainingOptions(Path partial) {
        List<String> options = new ArrayList<>(SHARED_PAGES);
        options.addAll(trainingExtras);
        options.add(trainingOption + partial);
        return options;
    }

    /** A worker's extra options to start from {@code archive}. */
    List<String> workerOptions(Path archive) {
        List<String> options = new ArrayList<>();
        options.add(workerOption + archive);
        options.addAll(workerExtras);
        options.addAll(SHARED_PAGES);
        return options;
    }

    /** The archive that {@link #workerOptions} named in {@code options}, if any. */
    Optional<Path> archiveIn(List<String> options) {
        for (String opt : options) {
            if (opt.startsWith(workerOption)) {
                return Optional.of(Path.of(opt.substring(workerOption.length())));
            }
        }
        return Optional.empty();
    }
}
