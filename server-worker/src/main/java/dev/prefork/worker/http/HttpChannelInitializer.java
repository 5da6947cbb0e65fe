package dev.prefork.worker.http;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.WorkerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Installs the HTTP pipeline (or the application's own) on each accepted connection. */
@ChannelHandler.Sharable
final class HttpChannelInitializer extends ChannelInitializer<Channel> {
    private final Application application;
    private final HttpHandler handler;
    private final WorkerContext context;
    private final HttpLimits limits;
    private final HttpDecoderConfig decoderConfig;
    private final ServingStats stats;
    private final ConnectionTracker tracker;
    private final AccessLog accessLog;

    HttpChannelInitializer(Application application, HttpHandler handler, WorkerContext context, HttpLimits limits,
                           ServingStats stats, ConnectionTracker tracker, AccessLog accessLog) {
        this.application = application;
        this.handler = handler;
        this.context = context;
        this.limits = limits;
        this.stats = stats;
        this.tracker = tracker;
        this.accessLog = accessLog;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.requestLine())
                .setMaxHeaderSize(limits.headerBlockLimit());
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!application.configurePipeline(pipeline, context)) {
            ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.keepAliveMillis(), limits.headerTimeoutMillis());
            pipeline.addLast("prefork-timeouts", timeouts);
            pipeline.addLast("prefork-codec", new HttpServerCodec(decoderConfig));
            pipeline.addLast("prefork-http", new HttpConnectionHandler(handler, limits, stats, tracker, timeouts,
                    accessLog));
        }
        tracker.opened(channel);
    }
}
