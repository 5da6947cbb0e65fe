package dev.prefork.core.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot be used; the message names the file and what is wrong with it. */
public final class TlsFileException extends Exception {
    private final Path file;
    private final String problem;

    public TlsFileException(Path file, String problem) {
        super(file + " " + problem);
        this.file = file;
        this.problem = problem;
    }

    public TlsFileException(Path file, String problem, Throwable cause) {
        super(file + " " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** What is wrong with the file and what to do, without the file's name. */
    public String problem() {
        return problem;
    }

    public Path file() {
        return file;
    }
}
