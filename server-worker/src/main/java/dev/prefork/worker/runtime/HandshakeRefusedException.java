package dev.prefork.worker.runtime;

/** The master closed the control connection before handing over every listening socket. */
final class HandshakeRefusedException extends Exception {
    HandshakeRefusedException(String message) {
        super(message);
    }
}
