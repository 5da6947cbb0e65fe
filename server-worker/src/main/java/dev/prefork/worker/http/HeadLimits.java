package dev.prefork.worker.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Iterator;
import java.util.Map;

/** Maps a request head to the status that rejects it (Gunicorn's limits), or 0 when it is acceptable. */
final class HeadLimits {
    static final int URI_TOO_LONG = 414;
    static final int HEADER_FIELDS_TOO_LARGE = 431;
    static final int BAD_REQUEST = 400;

    private HeadLimits() {
    }

    /** The status for a head the decoder failed on. */
    static int statusForDecoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HEADER_FIELDS_TOO_LARGE;
        }
        return BAD_REQUEST;
    }

    /** 431 when there are too many fields or one {@code name: value} field is too long, else 0. */
    static int check(HttpHeaders headers, HttpLimits limits) {
        if (headers.size() > limits.requestFields()) {
            return HEADER_FIELDS_TOO_LARGE;
        }
        int maxField = limits.requestFieldSize();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            if (field.getKey().length() + 2 + field.getValue().length() > maxField) {
                return HEADER_FIELDS_TOO_LARGE;
            }
        }
        return 0;
    }
}
