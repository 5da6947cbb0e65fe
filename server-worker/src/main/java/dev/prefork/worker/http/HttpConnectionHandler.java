package dev.prefork.worker.http;

import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP/1.1 exchanges after the codec: enforces the body and Host rules, collects the body,
 * hands whole requests to the application one at a time and in order (pipelined requests wait), writes the
 * answers with keep-alive or {@code Connection: close} (always close once the worker drains).
 *
 * <p>Backpressure: while the connection is not writable (its unsent responses are over the high-water mark, i.e.
 * the client does not read them) or {@value #MAX_WAITING} requests wait, the next request is not started, the
 * decoder stops and reading stops; all resume once the responses drain below the low-water mark. So one
 * connection holds at most one response being written, {@value #MAX_WAITING} waiting requests and one read's
 * worth of undecoded bytes, whatever its client sends.
 * Not shared: one instance per connection, used only on its event loop.
 */
final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionHandler.class);
    private static final byte[] NO_BODY = new byte[0];
    /** Pipelined requests waiting beyond this stop decoding and reading until the queue shrinks. */
    private static final int MAX_WAITING = 16;
    /** After an error response the input is read and discarded this long so the client sees the response. */
    private static final long LINGER_MILLIS = 2_000;
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\n", CharsetUtil.US_ASCII));

    private final HttpHandler handler;
    private final HttpLimits limits;
    private final ServingStats stats;
    private final ConnectionTracker tracker;
    private final ConnectionTimeouts timeouts;
    private final RequestTimeout requestTimeout;
    private final AccessLog accessLog;
    private final RequestDecoder decoder;
    private ChannelHandlerContext ctx;
    /** Where responses are written: below Netty's response encoder, since they are bytes already. */
    private ChannelHandlerContext out;

    /** The request whose body is being read, or null. */
    private HttpRequest head;
    private RequestBody body;
    /** After an error or a closing response, everything read is dropped. */
    private boolean discarding;

    /** A request is with the application (or its response is being written). */
    private boolean busy;
    private ArrayDeque<Exchange> waiting;
    private boolean inReadBurst;
    private boolean flushPending;
    /** Decoding and reading are stopped (see the class comment). */
    private boolean holding;
    private boolean feedScheduled;

    /**
     * @param accessLog null when the access log is off
     * @param decoder   the connection's decoder, held and resumed by this handler
     */
    HttpConnectionHandler(HttpHandler handler, HttpLimits limits, ServingStats stats, ConnectionTracker tracker,
                          ConnectionTimeouts timeouts, AccessLog accessLog, RequestDecoder decoder) {
        this.handler = handler;
        this.limits = limits;
        this.stats = stats;
        this.tracker = tracker;
        this.timeouts = timeouts;
        this.accessLog = accessLog;
        this.decoder = decoder;
        this.requestTimeout = RequestTimeout.http1(limits, stats);
    }

    /** A whole request, or a fixed error answer, in the order it arrived. */
    private static final class Exchange {
        final HttpRequest head;
        final byte[] body;
        final HttpResponse fixed;
        final boolean keepAlive;
        long startNanos;

        Exchange(HttpRequest head, byte[] body, HttpResponse fixed, boolean keepAlive) {
            this.head = head;
            this.body = body;
            this.fixed = fixed;
            this.keepAlive = keepAlive;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // The encoder stays in the pipeline for the 101 of an h2c upgrade (Netty's upgrade handler writes it).
        this.out = ctx.pipeline().context(HttpResponseEncoder.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBurst = true;
        try {
            if (discarding) {
                return;
            }
            if (msg instanceof HttpRequest) {
                onHead((HttpRequest) msg);
                if (discarding) {
                    return;
                }
            }
            if (msg instanceof HttpContent) {
                onContent((HttpContent) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpRequest request) {
        timeouts.headReceived();
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            int status = HeadLimits.statusForDecoderFailure(cause);
            log.debug("rejecting request from {} with {}: {}", ctx.channel().remoteAddress(), status, cause.toString());
            reject(status);
            return;
        }
        if (!HostRule.check(request)) {
            log.debug("rejecting request from {} with 400: missing, repeated or invalid Host",
                    ctx.channel().remoteAddress());
            reject(HeadLimits.BAD_REQUEST);
            return;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (length > limits.requestBody()) {
            reject(413);
            return;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                reject(417);
                return;
            }
            // Only for the request being answered next: an interim answer must not overtake earlier responses
            // (a pipelining client then sends the body after its own wait). Never to HTTP/1.0, which has no
            // 1xx (RFC 9110 §10.1.1: a server MUST ignore its 100-continue).
            if (!busy && !request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                // Raw bytes below the codec: an interim answer must not consume the codec's HEAD bookkeeping.
                ctx.pipeline().context(ConnectionTimeouts.class).writeAndFlush(CONTINUE.duplicate());
            }
        }
        head = request;
        // A chunked body gets its buffer with its first chunk (onContent).
        body = length > 0 ? new RequestBody(length, limits.requestBody()) : null;
    }

    private void onContent(HttpContent content) {
        if (head == null) {
            return;
        }
        if (!content.decoderResult().isSuccess()) {
            log.debug("rejecting request body from {}: {}", ctx.channel().remoteAddress(),
                    content.decoderResult().cause().toString());
            reject(HeadLimits.BAD_REQUEST);
            return;
        }
        body = RequestBody.appendTo(body, content.content(), limits.requestBody());
        if (body == RequestBody.TOO_LARGE) {
            reject(413);
            return;
        }
        if (content instanceof LastHttpContent) {
            HttpRequest request = head;
            byte[] bytesRead = RequestBody.bytesOf(body);
            head = null;
            body = null;
            submit(new Exchange(request, bytesRead, null, HttpUtil.isKeepAlive(request)));
        }
    }

    /** Answers with an error after the requests before it, then closes; the rest of the input is dropped. */
    private void reject(int status) {
        discarding = true;
        updateFlow();
        head = null;
        body = null;
        submit(new Exchange(null, NO_BODY, NettyResponses.refusal(status), false));
    }

    private void submit(Exchange exchange) {
        if (busy || hasWaiting() || !ctx.channel().isWritable()) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(exchange);
            updateFlow();
            return;
        }
        start(exchange);
    }

    private boolean hasWaiting() {
        return waiting != null && !waiting.isEmpty();
    }

    /** Starts the next waiting request if the last one is answered and the client reads its responses. */
    private void startNext() {
        if (!busy && hasWaiting() && ctx.channel().isWritable()) {
            start(waiting.poll());
        }
        updateFlow();
    }

    /** Holds or resumes decoding and reading to match the connection's state (see the class comment). */
    private void updateFlow() {
        Channel channel = ctx.channel();
        boolean hold = !discarding && channel.isActive()
                && (!channel.isWritable() || waiting != null && waiting.size() >= MAX_WAITING);
        if (hold == holding) {
            return;
        }
        holding = hold;
        if (hold) {
            decoder.hold();
            channel.config().setAutoRead(false);
            return;
        }
        channel.config().setAutoRead(true);
        if (decoder.resume() && !feedScheduled) {
            // Bytes read before the hold wait in the decoder; feed it once, outside whatever called us.
            feedScheduled = true;
            ctx.executor().execute(this::feedDecoder);
        }
    }

    private void feedDecoder() {
        feedScheduled = false;
        if (!holding && ctx.channel().isActive()) {
            ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER).fireChannelReadComplete();
        }
    }

    private void start(Exchange exchange) {
        busy = true;
        exchange.startNanos = stats.requestStarted();
        if (exchange.fixed != null) {
            respond(exchange, exchange.fixed);
            return;
        }
        HttpRequest h = exchange.head;
        HandlerCall.invoke(handler, dev.prefork.worker.HttpRequest.of(h.method().name(), h.uri(), h.headers(),
                exchange.body, ctx.channel().eventLoop()), ctx.channel(), requestTimeout,
                response -> respond(exchange, response));
    }

    private void respond(Exchange exchange, HttpResponse response) {
        Channel channel = ctx.channel();
        boolean keepAlive = exchange.keepAlive && !discarding && !tracker.isDraining()
                && !closesConnection(response);
        stats.requestFinished(exchange.startNanos, response.status());
        if (accessLog != null) {
            logAccess(exchange, response);
        }
        busy = false;
        if (!channel.isActive()) {
            return;
        }
        HttpVersion version = exchange.head == null ? HttpVersion.HTTP_1_1 : exchange.head.protocolVersion();
        boolean http10 = version.equals(HttpVersion.HTTP_1_0);
        boolean headRequest = exchange.head != null && HttpMethod.HEAD.equals(exchange.head.method());
        ByteBuf bytes;
        try {
            bytes = Http1ResponseEncoder.encode(ctx.alloc(), response, http10, keepAlive, headRequest);
        } catch (RuntimeException invalid) {
            log.error("the handler's response to {} {} is invalid; answering 500", exchange.head.method(),
                    exchange.head.uri(), invalid);
            bytes = Http1ResponseEncoder.encode(ctx.alloc(), HandlerCall.INTERNAL_ERROR, http10, keepAlive, headRequest);
        }
        if (!keepAlive) {
            discarding = true;
            waiting = null;
            updateFlow();
            ChannelFutureListener then = exchange.fixed != null ? f -> lingerThenClose() : ChannelFutureListener.CLOSE;
            out.writeAndFlush(bytes).addListener(then);
            return;
        }
        if (inReadBurst) {
            out.write(bytes, out.voidPromise());
            flushPending = true;
        } else {
            out.writeAndFlush(bytes, out.voidPromise());
        }
        if (hasWaiting()) {
            startNext();
        } else {
            if (head == null) {
                timeouts.responseSent();
            }
            updateFlow();
        }
    }

    private static boolean closesConnection(HttpResponse response) {
        String connection = response.header("connection");
        return connection != null && HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection);
    }

    private void logAccess(Exchange exchange, HttpResponse response) {
        HttpRequest h = exchange.head;
        accessLog.log(ctx.channel().remoteAddress(), h == null ? "-" : h.method().name(), h == null ? "-" : h.uri(),
                h == null ? "-" : h.protocolVersion().text(), response.status(), response.bodyLength(),
                exchange.startNanos);
    }

    /**
     * Half-closes after an error answer and drops what the client still sends, so that unread request bytes do
     * not turn the close into a reset that destroys the answer before the client reads it.
     */
    private void lingerThenClose() {
        Channel channel = ctx.channel();
        if (channel instanceof DuplexChannel && channel.isActive()) {
            ((DuplexChannel) channel).shutdownOutput();
            channel.config().setAutoRead(true);
            ctx.executor().schedule(() -> {
                channel.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBurst = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            startNext();
        } else {
            updateFlow();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        head = null;
        body = null;
        waiting = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || TlsFailures.isTls(cause)) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
