package dev.prefork.master.cds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the workers' CDS archives live: {@code -Dprefork.cdsDir} if set, else {@code $XDG_CACHE_HOME/prefork/cds}
 * (default {@code ~/.cache/prefork/cds}), else {@code java.io.tmpdir/prefork-cds-<user>}. A JVM runs the code
 * in an archive, so the directory must be this user's and writable by nobody else; one that is not is skipped.
 * An explicit {@code -Dprefork.cdsDir} may be read-only (an archive baked into a container image, a read-only
 * root file system): its archives are used, and none is made there.
 */
final class CdsCacheDirectory {
    private static final Logger log = LoggerFactory.getLogger(CdsCacheDirectory.class);
    static final String PROPERTY = "prefork.cdsDir";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private CdsCacheDirectory() {
    }

    /** The first usable candidate, created if needed; null when none is (workers then start without an archive). */
    static Path resolve(Map<String, String> env) {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return usable(Path.of(explicit), false);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : home != null && !home.isBlank() && !"?".equals(home) ? Path.of(home, ".cache") : null;
        if (cache != null) {
            Path dir = usable(cache.resolve("prefork").resolve("cds"), true);
            if (dir != null) {
                return dir;
            }
        }
        return usable(Path.of(System.getProperty("java.io.tmpdir"), "prefork-cds-" + System.getProperty("user.name")),
                true);
    }

    /** @param mustBeWritable false: a read-only directory is usable for the archives already in it */
    static Path usable(Path dir, boolean mustBeWritable) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            }
            PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String me = System.getProperty("user.name");
            Set<PosixFilePermission> perms = attrs.permissions();
            if (!attrs.owner().getName().equals(me) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                log.warn("--worker-cds auto: {} is not private to user {} (owner {}, {}); not using it for CDS archives",
                        dir, me, attrs.owner().getName(), PosixFilePermissions.toString(perms));
                return null;
            }
            return !mustBeWritable || Files.isWritable(dir) ? dir : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            log.debug("--worker-cds auto: cannot use {} for CDS archives: {}", dir, e.toString());
            return null;
        }
    }
}
