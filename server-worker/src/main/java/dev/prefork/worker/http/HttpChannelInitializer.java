package dev.prefork.worker.http;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.WorkerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Installs the HTTP pipeline (or the application's own) on each accepted connection: timeouts, the request decoder
 * behind its head scanner, the response encoder, the exchange handler. HEAD responses lose their body in the
 * handler, so the plain encoder serves (Netty's server codec would only track HEAD for it).
 */
@ChannelHandler.Sharable
final class HttpChannelInitializer extends ChannelInitializer<Channel> {
    private final Application application;
    private final HttpHandler handler;
    private final WorkerContext context;
    private final HttpLimits limits;
    /**
     * A connection whose unsent responses pass 128 KiB is not writable until they drain below 32 KiB: its handler
     * then stops taking requests from it. Large enough to keep a pipelining client's socket busy.
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);
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
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!application.configurePipeline(pipeline, context)) {
            ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.keepAliveMillis(), limits.headerTimeoutMillis());
            RequestDecoder decoder = new RequestDecoder(limits);
            channel.config().setWriteBufferWaterMark(WATER_MARK);
            pipeline.addLast("prefork-timeouts", timeouts);
            pipeline.addLast("prefork-decoder", decoder);
            pipeline.addLast("prefork-encoder", new HttpResponseEncoder());
            pipeline.addLast("prefork-http", new HttpConnectionHandler(handler, limits, stats, tracker, timeouts,
                    accessLog, decoder));
        }
        tracker.opened(channel);
    }
}
