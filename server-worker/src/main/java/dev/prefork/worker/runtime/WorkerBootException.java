package dev.prefork.worker.runtime;

/** The worker cannot start (its application, or a listening socket it was passed); {@link #getMessage()} is the reason sent to the master, with the remedy. */
final class WorkerBootException extends Exception {
    WorkerBootException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
