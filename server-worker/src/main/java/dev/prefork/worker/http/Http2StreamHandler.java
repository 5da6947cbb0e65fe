package dev.prefork.worker.http;

import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream (a child channel of the connection, after Netty's frame-to-HTTP-object codec): the same
 * limits as HTTP/1 where they mean something here (the :path as the request line, 414; field count and field
 * size, 431; the body, 413), the body collected whole, the application's handler called once, the response
 * written with the stream's end. Flow control is Netty's: a request body is acknowledged (WINDOW_UPDATE) as
 * this channel reads it, a response waits in the codec for the client's window. What the stream holds (its body,
 * then its response until written) is charged to the connection's {@link Http2ConnectionBudget}, which may
 * withhold the body's window.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2StreamHandler.class);
    private static final String PROTOCOL = "HTTP/2.0";
    /** Netty's conversion adds these (stream id, scheme); the application sees only what the client sent. */
    private static final String EXTENSION_PREFIX = "x-http2-";

    private final HttpHandler handler;
    private final HttpLimits limits;
    private final ServingStats stats;
    private final ConnectionTracker tracker;
    private final AccessLog accessLog;
    private final Http2ConnectionBudget.Stream budget;
    /** Allocated for a body before its bytes arrive: what the client may send before more window is granted. */
    private final int initialWindowSize;
    private final RequestTimeout requestTimeout;
    private HttpRequest head;
    private RequestBody body;
    private boolean answered;
    private long startNanos;

    Http2StreamHandler(HttpHandler handler, HttpLimits limits, ServingStats stats, ConnectionTracker tracker,
                       AccessLog accessLog, Http2ConnectionBudget.Stream budget, int initialWindowSize) {
        this.handler = handler;
        this.budget = budget;
        this.initialWindowSize = initialWindowSize;
        this.limits = limits;
        this.stats = stats;
        this.tracker = tracker;
        this.accessLog = accessLog;
        this.requestTimeout = RequestTimeout.http2(limits, stats);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (answered) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                onHead(ctx, request);
            }
            if (msg instanceof HttpContent content && head != null) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            reject(ctx, request, HeadLimits.BAD_REQUEST);
            return;
        }
        stripExtensionHeaders(request.headers());
        int status = limitStatus(request);
        if (status != 0) {
            reject(ctx, request, status);
            return;
        }
        head = request;
        long length = HttpUtil.getContentLength(request, -1L);
        body = length > 0 ? new RequestBody(length, limits.requestBody(), initialWindowSize) : null;
        if (body != null) {
            budget.receiving(body.capacity());
        }
    }

    /** 414, 431 or 413 as on HTTP/1, or 0. */
    private int limitStatus(HttpRequest request) {
        if (request.uri().length() > limits.requestLine()) {
            return 414;
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > limits.requestFields()) {
            return 431;
        }
        for (Map.Entry<String, String> field : headers) {
            // As Gunicorn counts a field line: "name: value" and its CRLF.
            if (field.getKey().length() + field.getValue().length() + 4 > limits.requestFieldSize()) {
                return 431;
            }
        }
        return HttpUtil.getContentLength(request, -1L) > limits.requestBody() ? 413 : 0;
    }

    private static void stripExtensionHeaders(HttpHeaders headers) {
        List<String> extension = null;
        for (String name : headers.names()) {
            if (name.regionMatches(true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
                if (extension == null) {
                    extension = new ArrayList<>(2);
                }
                extension.add(name);
            }
        }
        if (extension != null) {
            extension.forEach(headers::remove);
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        body = RequestBody.appendTo(body, content.content(), limits.requestBody());
        if (body == RequestBody.TOO_LARGE) {
            reject(ctx, head, 413);
            return;
        }
        if (content instanceof LastHttpContent) {
            HttpRequest request = head;
            byte[] bytesRead = RequestBody.bytesOf(body);
            // Counted while the application may hold it, until the response replaces it.
            budget.answering(bytesRead.length);
            head = null;
            body = null;
            answered = true;
            startNanos = stats.requestStarted();
            HandlerCall.invoke(handler, dev.prefork.worker.HttpRequest.of(request.method().name(), request.uri(),
                    request.headers(), bytesRead, ctx.channel().eventLoop()), ctx.channel(), requestTimeout,
                    response -> respond(ctx, request, response));
        } else if (body != null) {
            budget.receiving(body.capacity());
        }
    }

    /** Answers at once; the client's rest of the stream is reset when the channel closes. */
    private void reject(ChannelHandlerContext ctx, HttpRequest request, int status) {
        log.debug("rejecting HTTP/2 request on {} with {}", ctx.channel().parent().remoteAddress(), status);
        head = null;
        body = null;
        answered = true;
        startNanos = stats.requestStarted();
        respond(ctx, request, NettyResponses.refusal(status));
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request, HttpResponse response) {
        stats.requestFinished(startNanos, response.status());
        if (accessLog != null) {
            accessLog.log(ctx.channel().parent().remoteAddress(), request.method().name(), request.uri(), PROTOCOL,
                    response.status(), response.bodyLength(), startNanos);
        }
        Channel stream = ctx.channel();
        if (!stream.isActive()) {
            budget.done();
            return; // the client reset the stream
        }
        boolean headRequest = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse out;
        try {
            // keepAlive true: HTTP/2 has no Connection header (the codec would drop it anyway).
            out = NettyResponses.toNetty(response, false, true, headRequest);
        } catch (RuntimeException invalid) {
            log.error("the handler's response to {} {} is invalid; answering 500", request.method(), request.uri(),
                    invalid);
            out = NettyResponses.toNetty(HandlerCall.INTERNAL_ERROR, false, true, headRequest);
        }
        // Held until written: a response may wait for the client's window as long as the client likes.
        budget.answering(out.content().readableBytes());
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE).addListener(written -> budget.done());
        if (tracker.isDraining()) {
            Runnable goAway = stream.parent().attr(ConnectionTracker.ON_DRAIN).get();
            if (goAway != null) {
                goAway.run();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        head = null;
        body = null;
        budget.done();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP/2 stream on {} failed: {}", ctx.channel().parent().remoteAddress(), cause.toString());
        ctx.close();
    }
}
