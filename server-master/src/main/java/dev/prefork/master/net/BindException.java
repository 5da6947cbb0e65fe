package dev.prefork.master.net;

/** An address the master could not bind: exit code 4. The message names the address, the cause and the remedy. */
public final class BindException extends RuntimeException {
    public BindException(String message, Throwable cause) {
        super(message, cause);
    }
}
