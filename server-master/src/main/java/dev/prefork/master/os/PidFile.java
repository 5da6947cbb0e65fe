package dev.prefork.master.os;

import dev.prefork.core.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code --pidfile}: written at start, removed at exit, refused while another live process's pid is in it. */
public final class PidFile {
    private static final Logger LOG = LoggerFactory.getLogger(PidFile.class);

    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Thrown when the pid file cannot be taken; the message names the file, the problem and the remedy. */
    public static final class PidFileException extends RuntimeException {
        private final int exitCode;

        PidFileException(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * @param isLive whether a pid belongs to a running process (tests inject a fake)
     */
    public static PidFile acquire(Path path, long ownPid, LongPredicate isLive) {
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (createNew(path, ownPid)) {
                    return new PidFile(path, ownPid);
                }
                Long other = readPid(path);
                if (other != null && other != ownPid && isLive.test(other)) {
                    throw new PidFileException("--pidfile: '" + path + "' holds pid " + other + ", a running process; "
                            + "stop that master first, or delete the file if pid " + other + " is not a prefork master",
                            ExitCodes.RUNTIME_FAILURE);
                }
                LOG.info("--pidfile: replacing stale '{}' (pid {} is gone or is this master)", path, other);
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new PidFileException("--pidfile: cannot use '" + path + "' (" + e + "); "
                    + "give a path in an existing directory the master can write", ExitCodes.USAGE);
        }
        throw new PidFileException("--pidfile: '" + path + "' keeps reappearing; is another master starting? "
                + "start one master per pid file", ExitCodes.RUNTIME_FAILURE);
    }

    /** Creates the file with our pid; false if it already exists. */
    private static boolean createNew(Path path, long pid) throws IOException {
        try {
            Files.write(path, (pid + "\n").getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Whether {@code pid} is a running process. */
    public static boolean isRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Removes the file if it still holds this master's pid. */
    public void release() {
        try {
            Long current = readPid(path);
            if (current != null && current == pid) {
                deleteQuietly(path);
            }
        } catch (IOException e) {
            LOG.warn("--pidfile: cannot read '{}' to remove it: {}", path, e.toString());
        }
    }

    public Path path() {
        return path;
    }

    /** The pid in the file, or null when the file is gone or holds no number. */
    private static Long readPid(Path path) throws IOException {
        try {
            return Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException | NumberFormatException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("--pidfile: cannot delete '{}': {}", path, e.toString());
        }
    }
}
