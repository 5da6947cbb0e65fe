package dev.prefork.master.os;

/** A failed native call; the message names the call, its arguments and errno. */
public final class OsException extends RuntimeException {
    public OsException(String message) {
        super(message);
    }
}
