package dev.prefork.worker.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/** The statuses that refuse a request head, and the one for a head the decoder failed on. */
final class HeadLimits {
    static final int URI_TOO_LONG = 414;
    static final int HEADER_FIELDS_TOO_LARGE = 431;
    static final int BAD_REQUEST = 400;
    static final int VERSION_NOT_SUPPORTED = 505;

    private HeadLimits() {
    }

    /**
     * The status for a head the decoder failed on: the {@link HeadScanner}'s own, else from Netty's exception. Netty
     * only sees heads the scanner measured, so its "too long" cases are kept as a safety net.
     */
    static int statusForDecoderFailure(Throwable cause) {
        if (cause instanceof HeadRejectedException) {
            return ((HeadRejectedException) cause).status();
        }
        if (cause instanceof TooLongHttpLineException) {
            return URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HEADER_FIELDS_TOO_LARGE;
        }
        return BAD_REQUEST;
    }
}
