package dev.prefork.master.cds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Names the class-data archive (AppCDS archive or AOT cache) of a worker class path. The JVM silently ignores an
 * archive once any class-path jar changes size or modification time, so the name hashes exactly those, with the
 * Java runtime, the archive's format and the worker JVM options (they decide the archive's layout, and an AOT
 * cache's GC and heap settings): a changed jar, JVM or option gives a new name, hence a new archive.
 * Modification times count in whole seconds, as the JVM compares them ({@code st_mtime}): image layers store
 * them in seconds, so an archive baked into a container image keeps its name after a registry round trip.
 */
final class CdsArchiveKey {
    private CdsArchiveKey() {
    }

    /**
     * @param runtime the Java runtime's identity, e.g. {@code java.home} and {@code java.vm.version}
     * @return the key (hex), or null when the class path cannot be archived: AppCDS refuses a non-empty directory
     */
    static String of(List<Path> classPath, String runtime, CdsFormat format, List<String> jvmOptions)
            throws IOException {
        MessageDigest digest = sha256();
        update(digest, "runtime " + runtime);
        if (format != CdsFormat.APP_CDS) { // AppCDS keys stay what they were: archives baked into images keep their names
            update(digest, "format " + format.id());
        }
        update(digest, "options " + String.join(" ", jvmOptions));
        for (Path entry : classPath) {
            Path path = entry.toAbsolutePath().normalize();
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.exists(path)) {
                update(digest, "missing " + path);
                continue;
            }
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (attrs.isDirectory()) {
                if (isEmpty(path)) {
                    update(digest, "empty-dir " + path);
                    continue;
                }
                return null;
            }
            update(digest, "jar " + path + " " + attrs.size() + " " + attrs.lastModifiedTime().to(TimeUnit.SECONDS));
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 12);
    }

    /** The class path as the JVM reads it: entries split on the path separator, empty ones dropped. */
    static List<Path> split(String classPath) {
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .toList();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static void update(MessageDigest digest, String line) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
