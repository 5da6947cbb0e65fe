package dev.prefork.master.control;

import dev.prefork.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's private control directory (mode 0700) holding the control socket and the workers' segment files;
 * removed at exit. Only the
 * master's user can reach the socket inside it, before any secret is checked.
 */
public final class ControlDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlDirectory.class);
    private static final String OPTION = "--control-dir";
    private static final String SOCKET_NAME = "control.sock";
    private static final Pattern NAME = Pattern.compile("prefork-(\\d+)-[0-9a-f]{16}");
    /** sun_path holds 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path socketPath;
    private boolean closed;

    private ControlDirectory(Path dir) {
        this.dir = dir;
        this.socketPath = dir.resolve(SOCKET_NAME);
    }

    /** Creates {@code prefork-<pid>-<random>} under {@code parent} (null: java.io.tmpdir). Errors name path and remedy. */
    public static ControlDirectory create(Path parent) {
        Path base = (parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"))).toAbsolutePath();
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        Path dir = base.resolve("prefork-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random));
        int socketPathBytes = dir.resolve(SOCKET_NAME).toString().getBytes(StandardCharsets.UTF_8).length;
        if (socketPathBytes > MAX_SOCKET_PATH_BYTES) {
            throw new ConfigException(OPTION, base.toString(), "is too long for a Unix socket path (" + socketPathBytes
                    + " bytes with the socket name, at most " + MAX_SOCKET_PATH_BYTES + "); point " + OPTION
                    + " at a shorter directory such as /tmp");
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            // The umask can only remove bits; set them exactly so the owner can use the directory.
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException(OPTION, base.toString(), problemAndRemedy(e));
        }
        removeStale(base, dir);
        log.debug("control directory {}", dir);
        return new ControlDirectory(dir);
    }

    public Path directory() {
        return dir;
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Deletes the socket file and the directory; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(socketPath);
            deleteSegments(dir);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("could not remove control directory {}: {}; remove it by hand", dir, e.toString());
        }
    }

    /** The workers' segment files ({@code worker-<id>.seg}) the master keeps here. */
    private static void deleteSegments(Path directory) throws IOException {
        try (DirectoryStream<Path> segments = Files.newDirectoryStream(directory, "worker-*.seg")) {
            for (Path segment : segments) {
                Files.deleteIfExists(segment);
            }
        }
    }

    private static String problemAndRemedy(Exception e) {
        String remedy = "; point " + OPTION + " at a writable directory";
        if (e instanceof NoSuchFileException) {
            return "does not exist; create it or" + remedy.substring(1);
        }
        if (e instanceof AccessDeniedException) {
            return "is not writable (mkdir: EACCES, permission denied)" + remedy;
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return "is not writable (mkdir: " + ((FileSystemException) e).getReason() + ")" + remedy;
        }
        return "is not writable (" + e + ")" + remedy;
    }

    /**
     * Removes control directories left by masters of this user that died without cleaning up (kill -9), so they do
     * not pile up in /tmp. Only directories named like ours, whose pid is gone, holding at most the socket and segment files.
     */
    private static void removeStale(Path base, Path mine) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, "prefork-*")) {
            for (Path candidate : entries) {
                Matcher m = NAME.matcher(candidate.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)
                        || !sameOwner(candidate, mine) || isAlive(m.group(1))) {
                    continue;
                }
                try {
                    Files.deleteIfExists(candidate.resolve(SOCKET_NAME));
                    deleteSegments(candidate);
                    Files.delete(candidate);
                    log.info("removed stale control directory {} of a master that is gone", candidate);
                } catch (IOException e) {
                    log.debug("left stale control directory {}: {}", candidate, e.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("no stale control directories removed under {}: {}", base, e.toString());
        }
    }

    private static boolean sameOwner(Path candidate, Path mine) throws IOException {
        return Files.getAttribute(candidate, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(mine, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
