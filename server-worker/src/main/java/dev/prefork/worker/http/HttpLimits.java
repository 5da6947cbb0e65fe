package dev.prefork.worker.http;

import dev.prefork.core.control.WorkerSettings;

/**
 * Limits and timeouts of the HTTP pipeline (Gunicorn's names and defaults).
 *
 * @param requestLine      longest request line in octets, without its CRLF, else 414
 * @param requestFields    most header fields, else 431
 * @param requestFieldSize longest header field line in octets, counted as sent with its CRLF (Gunicorn's
 *                         semantics; continuation lines add to their field), else 431
 * @param requestBody      largest request body, else 413
 * @param keepAliveMillis  an idle keep-alive connection is closed after this long
 * @param headerTimeoutMillis a connection must send a whole request head within this long
 * @param requestTimeoutMillis a request not answered this long after its handler was called is answered 503 and
 *                         its connection closed; 0 = off
 */
public record HttpLimits(int requestLine, int requestFields, int requestFieldSize, long requestBody,
                         long keepAliveMillis, long headerTimeoutMillis, long requestTimeoutMillis) {

    /** Without a request timeout. */
    public HttpLimits(int requestLine, int requestFields, int requestFieldSize, long requestBody,
                      long keepAliveMillis, long headerTimeoutMillis) {
        this(requestLine, requestFields, requestFieldSize, requestBody, keepAliveMillis, headerTimeoutMillis, 0);
    }

    public HttpLimits {
        positive("requestLine", requestLine);
        positive("requestFields", requestFields);
        positive("requestFieldSize", requestFieldSize);
        if (requestBody < 0) {
            throw new IllegalArgumentException("requestBody " + requestBody + " must be >= 0");
        }
        positive("keepAliveMillis", keepAliveMillis);
        positive("headerTimeoutMillis", headerTimeoutMillis);
        if (requestTimeoutMillis < 0) {
            throw new IllegalArgumentException("requestTimeoutMillis " + requestTimeoutMillis + " must be >= 0");
        }
    }

    /** The defaults of {@code ServerConfig}: 4094, 100, 8190, 10 MiB, 5 s, 10 s. */
    public static HttpLimits defaults() {
        return new HttpLimits(4094, 100, 8190, 10L * 1024 * 1024, 5_000, 10_000);
    }

    public static HttpLimits from(WorkerSettings s) {
        return new HttpLimits(s.limitRequestLine(), s.limitRequestFields(), s.limitRequestFieldSize(),
                s.limitRequestBody(), s.keepAliveMillis(), s.headerTimeoutMillis(), s.requestTimeoutMillis());
    }

    /**
     * Netty's bound on the whole header block, above anything the {@link HeadScanner} lets through (every field
     * at its limit): the scanner checks the per-field and field-count limits on the raw bytes first.
     */
    int headerBlockLimit() {
        long block = (long) (requestFields + 1) * (requestFieldSize + 2L);
        return (int) Math.min(Integer.MAX_VALUE - 2, block);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " " + value + " must be > 0");
        }
    }
}
