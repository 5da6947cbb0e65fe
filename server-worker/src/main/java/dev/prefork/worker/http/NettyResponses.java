package dev.prefork.worker.http;

import dev.prefork.worker.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;

/**
 * Turns an application's {@link HttpResponse} into a Netty response with the server's own headers: for HTTP/2
 * streams (their codec takes response objects). HTTP/1 writes bytes directly with {@link Http1ResponseEncoder},
 * whose test holds it to the bytes Netty's encoder writes for this response.
 */
final class NettyResponses {
    /** No validation here: HttpResponse validated the application's headers once, when it was built. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private NettyResponses() {
    }

    /** The answer to a request refused before any handler ran (413, 431, ...): "413 Payload Too Large". */
    static HttpResponse refusal(int status) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        return HttpResponse.text(status, s.code() + " " + s.reasonPhrase() + "\n");
    }

    /**
     * @param keepAlive   false adds {@code Connection: close}; true on HTTP/1.0 adds {@code Connection: keep-alive}
     * @param headRequest the answer to a HEAD: the body's Content-Length without the body
     */
    static FullHttpResponse toNetty(HttpResponse response, boolean http10, boolean keepAlive, boolean headRequest) {
        int length = response.bodyLength();
        // Wrapped, not copied: the encoder copies a small body into the head's buffer anyway, and the transport
        // copies a large heap body to a direct buffer once.
        ByteBuf content = length == 0 || headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.bodyBuffer());
        HttpHeaders headers = HEADERS.newHeaders();
        List<Map.Entry<String, String>> appHeaders = response.headers();
        for (int i = 0, n = appHeaders.size(); i < n; i++) {
            Map.Entry<String, String> h = appHeaders.get(i);
            headers.add(h.getKey(), h.getValue());
        }
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        headers.set(HttpHeaderNames.DATE, HttpDate.now());
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()),
                content, headers, EmptyHttpHeaders.INSTANCE);
    }
}
