package dev.prefork.worker;

import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP response: status, headers and a whole body. Immutable, so a constant response can be built once
 * and returned for every request. Headers are validated when they are added (no CR/LF injection), so the
 * server does not check them again per request. The server sets {@code Content-Length} and {@code Date}, and
 * {@code Connection} for keep-alive; a {@code Connection: close} set here closes the connection after the
 * response.
 */
public final class HttpResponse {
    private static final byte[] NO_BODY = new byte[0];
    private static final String CONTENT_TYPE = "content-type";

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    private HttpResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("HTTP status " + status + " is outside 100..999");
        }
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** A response with no body. */
    public static HttpResponse of(int status) {
        return new HttpResponse(status, List.of(), NO_BODY);
    }

    /** A {@code text/plain; charset=utf-8} response. */
    public static HttpResponse text(int status, String text) {
        return new HttpResponse(status, List.of(Map.entry(CONTENT_TYPE, "text/plain; charset=utf-8")),
                text.getBytes(StandardCharsets.UTF_8));
    }

    /** 200 with a {@code text/plain; charset=utf-8} body. */
    public static HttpResponse ok(String text) {
        return text(200, text);
    }

    /** A response with the given body (copied) and content type (omitted when null). */
    public static HttpResponse bytes(int status, String contentType, byte[] body) {
        List<Map.Entry<String, String>> headers = contentType == null
                ? List.of() : List.of(validated(CONTENT_TYPE, contentType));
        return new HttpResponse(status, headers, body == null || body.length == 0 ? NO_BODY : body.clone());
    }

    /**
     * This response with one more header (headers may repeat, e.g. Set-Cookie).
     *
     * @throws IllegalArgumentException when the name is not an HTTP token, the value holds CR, LF or NUL, or the
     *                                  header is {@code Transfer-Encoding} (the server frames the body)
     */
    public HttpResponse withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers.size() + 1);
        more.addAll(headers);
        more.add(validated(name, value));
        return new HttpResponse(status, List.copyOf(more), body);
    }

    private static Map.Entry<String, String> validated(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        if (name.isEmpty() || HttpHeaderValidationUtil.validateToken(name) >= 0) {
            throw new IllegalArgumentException("header name '" + name + "' is not an HTTP token; use letters, digits and -");
        }
        int bad = HttpHeaderValidationUtil.validateValidHeaderValue(value);
        if (bad >= 0) {
            throw new IllegalArgumentException("header " + name + " has a forbidden character (code " + (int) value.charAt(bad)
                    + ") at index " + bad + "; remove CR, LF and other control characters");
        }
        if (name.equalsIgnoreCase("transfer-encoding")) {
            throw new IllegalArgumentException("header Transfer-Encoding is the server's: it sends the whole body with Content-Length");
        }
        return Map.entry(name, value);
    }

    public int status() {
        return status;
    }

    /** The headers in order, as set by the application. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The first value of a header (case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A copy of the body. */
    public byte[] body() {
        return body.length == 0 ? NO_BODY : body.clone();
    }

    /** A read-only view of the body, without copying. */
    public ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public String toString() {
        return "HttpResponse[" + status + ", " + headers + ", " + body.length + " bytes]";
    }
}
