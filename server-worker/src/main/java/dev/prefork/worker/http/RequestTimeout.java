package dev.prefork.worker.http;

import dev.prefork.worker.HttpResponse;

/**
 * {@code --request-timeout} as one protocol applies it: how long a handler may take, and the answer when it takes
 * longer. The answer is 503, not 504, because this server is the origin, not a gateway (RFC 9110 §15.6.5 defines
 * 504 for a gateway whose upstream did not answer; a proxy in front would log our 504 as its upstream's).
 *
 * @param millis      0 = off
 * @param response    the answer at the timeout
 * @param consequence what the answer does to the connection, for the log line
 * @param stats       where the timeout is counted (prefork_request_timeouts_total)
 */
record RequestTimeout(long millis, HttpResponse response, String consequence, ServingStats stats) {
    private static final String BODY = "503 Service Unavailable: request timeout\n";
    /** HTTP/1 has no way to skip a response, so the late handler result has nowhere to go: the connection closes. */
    private static final HttpResponse HTTP1 = HttpResponse.text(503, BODY).withHeader("Connection", "close");
    /** HTTP/2 answers on the request's own stream, which the response ends; the connection's other streams go on. */
    private static final HttpResponse HTTP2 = HttpResponse.text(503, BODY);

    static RequestTimeout http1(HttpLimits limits, ServingStats stats) {
        return new RequestTimeout(limits.requestTimeoutMillis(), HTTP1, "closing the connection", stats);
    }

    static RequestTimeout http2(HttpLimits limits, ServingStats stats) {
        return new RequestTimeout(limits.requestTimeoutMillis(), HTTP2, "ending its HTTP/2 stream", stats);
    }

    boolean on() {
        return millis > 0;
    }
}
