package dev.prefork.worker.http;

import dev.prefork.core.control.WorkerSettings;

/**
 * HTTP/2 serving: whether it is on (h2 over TLS by ALPN; cleartext h2c by prior knowledge and by Upgrade) and its
 * limits. The header list size is not here: it follows the HTTP/1 header limits ({@link HttpLimits}).
 *
 * @param maxConcurrentStreams streams a client may have open at once on one connection (SETTINGS)
 * @param initialWindowSize    per-stream flow-control window announced to the client: how much of a request body
 *                             it may send before the worker has consumed it
 */
public record Http2Options(boolean enabled, int maxConcurrentStreams, int initialWindowSize) {
    public Http2Options {
        if (maxConcurrentStreams < 1 || initialWindowSize < 1) {
            throw new IllegalArgumentException("HTTP/2 needs maxConcurrentStreams >= 1 and initialWindowSize >= 1, got "
                    + maxConcurrentStreams + " and " + initialWindowSize);
        }
    }

    /** HTTP/1.1 only. */
    public static Http2Options off() {
        return new Http2Options(false, 100, 65_535);
    }

    /** On, with the defaults of {@code ServerConfig}: 100 streams, a 64 KiB window. */
    public static Http2Options defaults() {
        return new Http2Options(true, 100, 65_535);
    }

    public static Http2Options from(WorkerSettings s) {
        return new Http2Options(s.http2(), s.http2MaxConcurrentStreams(), s.http2InitialWindowSize());
    }
}
