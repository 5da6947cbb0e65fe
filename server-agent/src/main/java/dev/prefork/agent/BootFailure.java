package dev.prefork.agent;

/** A boot step failed: what failed and the worker exit code to leave with. */
final class BootFailure extends Exception {
    private final int exitCode;

    BootFailure(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
