package dev.prefork.worker;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One HTTP request with its whole body. Immutable: the accessors never expose anything that changes it.
 * Header names are case-insensitive. Views that need work (query parameters, the header map) are built on
 * first use, so a handler pays only for what it reads.
 */
public final class HttpRequest {
    private static final byte[] NO_BODY = new byte[0];

    private final String method;
    private final String uri;
    private final HttpHeaders headers;
    private final byte[] body;
    private final ScheduledExecutorService eventLoop;
    private volatile Map<String, List<String>> queryParameters;

    private HttpRequest(String method, String uri, HttpHeaders headers, byte[] body, ScheduledExecutorService eventLoop) {
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.headers = headers == null ? EmptyHttpHeaders.INSTANCE : headers;
        this.body = body == null ? NO_BODY : body;
        this.eventLoop = eventLoop;
    }

    /**
     * Creates a request. It takes ownership of {@code headers} and {@code body}: the caller must not change
     * them afterwards (the server hands over what it decoded without copying).
     *
     * @param eventLoop the event loop that received the request (may be null in tests)
     */
    public static HttpRequest of(String method, String uri, HttpHeaders headers, byte[] body,
                                 ScheduledExecutorService eventLoop) {
        return new HttpRequest(method, uri, headers, body, eventLoop);
    }

    /** A request without headers or body, e.g. for an application's unit tests. */
    public static HttpRequest of(String method, String uri) {
        return new HttpRequest(method, uri, null, null, null);
    }

    /** The method as sent, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /**
     * The request target as sent, e.g. {@code /sleep?ms=10}, or {@code http://example.com/sleep?ms=10} in
     * absolute-form (as a client talking to a proxy sends it; its authority is then the {@code Host} header).
     */
    public String uri() {
        return uri;
    }

    /**
     * The target's path without its query string, still percent-encoded, e.g. {@code /sleep}; also for an
     * absolute-form target ({@code http://example.com/sleep?ms=10} gives {@code /sleep}, {@code http://example.com}
     * gives {@code /}). For {@code *} (OPTIONS) and a CONNECT target ({@code host:port}) the target as sent.
     */
    public String path() {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme <= 0) {
                return uri;
            }
            start = scheme + 3;
            while (start < uri.length() && "/?#".indexOf(uri.charAt(start)) < 0) {
                start++;
            }
            if (start == uri.length() || uri.charAt(start) != '/') {
                return "/";
            }
        }
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        return start == 0 && end == uri.length() ? uri : uri.substring(start, end);
    }

    /** Decoded query parameters in order of appearance; each name maps to all its values. */
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> params = queryParameters;
        if (params == null) {
            params = uri.indexOf('?') < 0
                    ? Map.of()
                    : Collections.unmodifiableMap(new LinkedHashMap<>(new QueryStringDecoder(uri).parameters()));
            queryParameters = params;
        }
        return params;
    }

    /** The first value of a query parameter, or null. */
    public String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** All values of a header, in order; empty when absent. */
    public List<String> headers(String name) {
        return Collections.unmodifiableList(headers.getAll(name));
    }

    /** All headers, names case-insensitive, values in order. Built on each call: prefer {@link #header}. */
    public Map<String, List<String>> headers() {
        Map<String, List<String>> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> e : headers) {
            all.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>(1)).add(e.getValue());
        }
        all.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(all);
    }

    /** The header names present. */
    public Set<String> headerNames() {
        return Collections.unmodifiableSet(headers.names());
    }

    /** A copy of the body; empty when there is none. */
    public byte[] body() {
        return body.length == 0 ? NO_BODY : body.clone();
    }

    /** The body length in bytes. */
    public int bodyLength() {
        return body.length;
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The event loop that received this request: schedule timers and continuations here to stay on the
     * connection's thread. Never block it. Null only for requests built by hand without one.
     */
    public ScheduledExecutorService eventLoop() {
        return eventLoop;
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
