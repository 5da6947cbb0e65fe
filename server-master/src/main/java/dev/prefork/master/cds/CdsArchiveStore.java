package dev.prefork.master.cds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache directory of worker CDS archives and its file layout, the one place that spells it:
 * {@code worker-<key>.jsa} (an AppCDS archive) or {@code worker-<key>.aot} (an AOT cache), {@code worker-<key>.log}
 * (its training run's output) and {@code worker-<key>.jsa.<pid>.tmp} (an archive being written; an AOT cache's
 * training also writes {@code ...tmp.config} beside it and removes it). An archive appears only whole (atomic move);
 * after each new one the oldest beyond {@link #ARCHIVES_KEPT} are removed, with stale partial files.
 */
final class CdsArchiveStore {
    private static final Logger log = LoggerFactory.getLogger(CdsArchiveStore.class);
    private static final String PREFIX = "worker-";
    private static final String LOG = ".log";
    private static final String PARTIAL = ".tmp";
    /** The JVM's own temporary file beside an AOT cache being made ({@code -XX:AOTCacheOutput}). */
    private static final String PARTIAL_AOT_CONFIG = PARTIAL + ".config";
    /** Other class paths or JVMs (another application, the previous release) may still use their archives. */
    static final int ARCHIVES_KEPT = 8;
    /** A partial file this old belongs to a training run that died: no run takes this long. */
    private static final Duration STALE_PARTIAL = Duration.ofHours(1);

    /** Resolved on first need, so that with {@code --worker-cds off} no cache directory is created. */
    private Supplier<Path> unresolvedDir;
    private Path dir;
    private final Predicate<Path> writable;
    private final InstantSource clock;
    private final String extension;

    /**
     * @param dir      finds (and creates) the cache directory, or gives null; called once, when first needed
     * @param writable whether the directory takes new archives (root ignores file modes: tests fake it)
     * @param format   the kind of archive this master makes and uses (its file extension)
     */
    CdsArchiveStore(Supplier<Path> dir, Predicate<Path> writable, InstantSource clock, CdsFormat format) {
        this.unresolvedDir = dir;
        this.writable = writable;
        this.clock = clock;
        this.extension = format.extension();
    }

    /** The cache directory, or null when there is none (workers then start without an archive). */
    synchronized Path dir() {
        if (unresolvedDir != null) {
            dir = unresolvedDir.get();
            unresolvedDir = null;
        }
        return dir;
    }

    /** Whether new archives can be made here; a read-only cache (a baked image) only serves its archives. */
    boolean writable() {
        return writable.test(dir());
    }

    Path archive(String key) {
        return dir().resolve(PREFIX + key + extension);
    }

    Path trainingLog(String key) {
        return dir().resolve(PREFIX + key + LOG);
    }

    /** Where the training JVM of this master writes the archive before {@link #publish} moves it in place. */
    Path partial(String key, long masterPid) {
        return dir().resolve(PREFIX + key + extension + "." + masterPid + PARTIAL);
    }

    /** The key of an archive path that {@link #archive} gave. */
    static String keyOf(Path archive) {
        String name = archive.getFileName().toString();
        return name.substring(PREFIX.length(), name.lastIndexOf('.'));
    }

    /** An archive of any format (other masters, e.g. on another Java, keep theirs in the same directory). */
    private static boolean isArchive(String name) {
        for (CdsFormat f : CdsFormat.values()) {
            if (name.endsWith(f.extension())) {
                return true;
            }
        }
        return false;
    }

    /** Moves a finished partial archive in place (atomically: a worker never maps half a file), then prunes. */
    Path publish(Path partial, String key) throws IOException {
        Path archive = archive(key);
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune(archive);
        return archive;
    }

    void delete(Path archive) {
        try {
            Files.deleteIfExists(archive);
        } catch (IOException e) {
            log.warn("cannot delete CDS archive {}: {}; delete it by hand", archive, e.toString());
        }
    }

    /** Keeps the newest archives, {@code keep} among them; deletes stale partial files. */
    private void prune(Path keep) {
        try (Stream<Path> files = Files.list(dir())) {
            List<Path> archives = new ArrayList<>();
            long staleBefore = clock.millis() - STALE_PARTIAL.toMillis();
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(PREFIX) && isArchive(name) && !p.equals(keep)) {
                    archives.add(p);
                } else if (name.startsWith(PREFIX) && (name.endsWith(PARTIAL) || name.endsWith(PARTIAL_AOT_CONFIG))
                        && Files.getLastModifiedTime(p).toMillis() < staleBefore) {
                    deleteQuietly(p);
                }
            }
            archives.sort(Comparator.comparingLong(CdsArchiveStore::modified).reversed());
            for (Path old : archives.subList(Math.min(archives.size(), ARCHIVES_KEPT - 1), archives.size())) {
                deleteQuietly(old);
                deleteQuietly(trainingLog(keyOf(old)));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot tidy the CDS cache {}: {}", dir(), e.toString());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover file is harmless; the next tidy-up retries.
        }
    }
}
