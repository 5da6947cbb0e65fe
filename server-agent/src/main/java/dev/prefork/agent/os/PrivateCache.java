package dev.prefork.agent.os;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Where the agent unpacks what the JVM must read from a file (its JNI library, the Spring Boot glue jar, which
 * Spring's loader reopens by path for as long as the application runs): {@code $TMPDIR/prefork-agent-<uid>},
 * 0700 and owned by this user, files named by their content so that every worker of every version reuses them
 * and nothing accumulates, even when workers are SIGKILLed.
 */
public final class PrivateCache {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateCache() {
    }

    /** The cached copy of a resource of the agent jar, written once (atomically) and then reused. */
    public static Path file(String resource, String name) throws IOException {
        byte[] content;
        try (InputStream in = PrivateCache.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + resource);
            }
            content = in.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(content);
        int dot = name.lastIndexOf('.');
        String versioned = name.substring(0, dot) + "-" + Long.toHexString(crc.getValue()) + "-" + content.length
                + name.substring(dot);
        Path dir = directory();
        Path target = dir.resolve(versioned);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == content.length) {
            return target;
        }
        Path temp = Files.createTempFile(dir, name, ".part");
        try {
            Files.write(temp, content);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    private static Path directory() throws IOException {
        Object uid = Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "prefork-agent-" + uid);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // Made by an earlier worker, or by someone else: checked below.
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                || !uid.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                || !OWNER_ONLY.equals(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))) {
            throw new IOException(dir + " is not a directory private to uid " + uid + " (0700, owned by it); remove it "
                    + "or point -Djava.io.tmpdir elsewhere");
        }
        return dir;
    }
}
