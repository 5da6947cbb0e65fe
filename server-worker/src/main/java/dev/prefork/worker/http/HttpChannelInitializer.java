package dev.prefork.worker.http;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.WorkerContext;
import dev.prefork.worker.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Installs the pipeline (or the application's own) on each accepted connection. TLS first when configured; then
 * <ul>
 *   <li>HTTP/1.1: timeouts, the request decoder behind its head scanner, Netty's response encoder (only the 101
 *       of an h2c upgrade goes through it: the exchange handler writes its responses as bytes, below it), the
 *       exchange handler; with h2c on, an Upgrade handler between them takes {@code Upgrade: h2c} requests;</li>
 *   <li>HTTP/2 (ALPN h2, h2c by prior knowledge or Upgrade): Netty's frame codec and stream multiplexer, one child
 *       channel per stream with the frame-to-HTTP-object codec and {@link Http2StreamHandler} (so the same
 *       {@code HttpHandler} serves both), and {@link Http2ConnectionControl} for backpressure, idle and drain.</li>
 * </ul>
 */
@ChannelHandler.Sharable
final class HttpChannelInitializer extends ChannelInitializer<Channel> {
    private static final String TIMEOUTS = "prefork-timeouts";
    private static final String DECODER = "prefork-decoder";
    private static final String ENCODER = "prefork-encoder";
    private static final String UPGRADE = "prefork-h2c-upgrade";
    private static final String HTTP1 = "prefork-http";
    private static final String HTTP2_CODEC = "prefork-h2";
    /**
     * A connection whose unsent responses pass 128 KiB is not writable until they drain below 32 KiB: its handler
     * then stops taking requests from it. Large enough to keep a pipelining client's socket busy.
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final Application application;
    private final HttpHandler handler;
    private final WorkerContext context;
    private final HttpLimits limits;
    private final ServingStats stats;
    private final ByteCounter byteCounter;
    private final ConnectionTracker tracker;
    private final AccessLog accessLog;
    private final ServerTls tls;
    private final Http2Options http2;
    private final Http2WorkerBudget http2Budget = Http2WorkerBudget.forThisJvm();

    /**
     * @param tls null for cleartext
     */
    HttpChannelInitializer(Application application, HttpHandler handler, WorkerContext context, HttpLimits limits,
                           ServingStats stats, ConnectionTracker tracker, AccessLog accessLog, ServerTls tls,
                           Http2Options http2) {
        this.application = application;
        this.handler = handler;
        this.context = context;
        this.limits = limits;
        this.stats = stats;
        this.byteCounter = new ByteCounter(stats);
        this.tracker = tracker;
        this.accessLog = accessLog;
        this.tls = tls;
        this.http2 = http2;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("prefork-bytes", byteCounter);
        if (tls != null) {
            // The handshake gets the header timeout: a connection that never completes one is closed like a slow head.
            pipeline.addLast("prefork-tls", tls.newHandler(channel.alloc(), limits.headerTimeoutMillis()));
        }
        if (!application.configurePipeline(pipeline, context)) {
            channel.config().setWriteBufferWaterMark(WATER_MARK);
            if (tls != null && http2.enabled()) {
                pipeline.addLast("prefork-alpn", new AlpnSwitch(this));
            } else if (http2.enabled()) {
                pipeline.addLast("prefork-h2c-preface", new H2cPrefaceDetector(this));
                addHttp1(pipeline, true);
            } else {
                addHttp1(pipeline, false);
            }
        }
        tracker.opened(channel);
    }

    /** The HTTP/1.1 handlers, at the end of the pipeline; with {@code h2cUpgrade}, Upgrade: h2c is taken. */
    void addHttp1(ChannelPipeline pipeline, boolean h2cUpgrade) {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.keepAliveMillis(), limits.headerTimeoutMillis());
        RequestDecoder decoder = new RequestDecoder(limits);
        pipeline.addLast(TIMEOUTS, timeouts);
        pipeline.addLast(DECODER, decoder);
        pipeline.addLast(ENCODER, new HttpResponseEncoder());
        if (h2cUpgrade) {
            pipeline.addLast(UPGRADE, new H2cUpgradeHandler(this::leaveHttp1,
                    protocol -> Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME.toString().contentEquals(protocol)
                            ? http2UpgradeCodec() : null,
                    (int) Math.min(Integer.MAX_VALUE, limits.requestBody())));
        }
        pipeline.addLast(HTTP1, new HttpConnectionHandler(handler, limits, stats, tracker, timeouts, accessLog,
                decoder));
    }

    /** The HTTP/2 handlers, at the end of the pipeline. */
    void addHttp2(ChannelPipeline pipeline) {
        Http2FrameCodec codec = http2Codec();
        pipeline.addLast(HTTP2_CODEC, codec);
        pipeline.addLast(http2Handlers(codec));
    }

    /** h2c by prior knowledge: the HTTP/1 handlers make way for HTTP/2 before any request was read. */
    void switchToHttp2(ChannelPipeline pipeline) {
        for (String name : new String[] {TIMEOUTS, DECODER, ENCODER, UPGRADE, HTTP1}) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        addHttp2(pipeline);
    }

    /** Upgrade: h2c, after the 101 went out through the HTTP/1 encoder: the HTTP/1 handlers leave. */
    private void leaveHttp1(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        for (String name : new String[] {TIMEOUTS, DECODER, ENCODER, HTTP1}) {
            pipeline.remove(name);
        }
    }

    private HttpServerUpgradeHandler.UpgradeCodec http2UpgradeCodec() {
        Http2FrameCodec codec = http2Codec();
        return new Http2ServerUpgradeCodec(HTTP2_CODEC, codec, http2Handlers(codec));
    }

    private Http2FrameCodec http2Codec() {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(http2.maxConcurrentStreams())
                .initialWindowSize(http2.initialWindowSize())
                // The HTTP/1 bound on a whole header block (every field at its limit), HPACK-decoded.
                .maxHeaderListSize(limits.headerBlockLimit());
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                // Close means close; GOAWAY is sent on purpose by Http2ConnectionControl (drain, idle).
                .decoupleCloseAndGoAway(true)
                .build();
    }

    private ChannelHandler[] http2Handlers(Http2FrameCodec codec) {
        Http2ConnectionBudget budget = new Http2ConnectionBudget(http2Budget);
        ChannelInitializer<Channel> streams = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel stream) {
                if (!budget.admitsNewStream()) {
                    stream.pipeline().addLast(new Http2RefusedStream());
                    return;
                }
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true),
                        new Http2StreamHandler(handler, limits, stats, tracker, accessLog, budget.open(stream),
                                http2.initialWindowSize()));
            }
        };
        int connectionWindow = Http2ConnectionBudget.connectionWindow(http2.maxConcurrentStreams(),
                http2.initialWindowSize());
        return new ChannelHandler[] {new Http2MultiplexHandler(streams),
                new Http2ConnectionControl(codec.connection(), limits.keepAliveMillis(), connectionWindow)};
    }
}
