package dev.prefork.worker.runtime;

/** The application cannot start; {@link #getMessage()} is the reason sent to the master, with the remedy. */
final class BootFailure extends Exception {
    BootFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
