package dev.prefork.worker.http;

import io.netty.handler.codec.DecoderException;

/** A request head refused before Netty decoded it, with the status that answers it. */
final class HeadRejectedException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final int status;

    HeadRejectedException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** No stack trace: a hostile client must not make the worker pay for one per request. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
