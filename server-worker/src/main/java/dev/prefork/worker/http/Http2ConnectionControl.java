package dev.prefork.worker.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection's life around Netty's codec:
 * <ul>
 *   <li>backpressure: while the connection is not writable (the client does not read what was sent), nothing more
 *       is read from it, so no new stream or request starts; reading resumes below the low-water mark. What waits
 *       for the client's flow-control window stays in the codec, bounded by the open streams (at most
 *       max-concurrent-streams responses);</li>
 *   <li>memory: the connection's receive window is widened to {@code connectionWindow} (see
 *       {@link Http2ConnectionBudget#connectionWindow}); what its streams hold is bounded by their
 *       {@link Http2ConnectionBudget}, which refuses streams and withholds body window while reading goes on;</li>
 *   <li>keep-alive: a connection without an open stream for the keep-alive timeout gets GOAWAY and is closed;</li>
 *   <li>drain: GOAWAY (no new streams; the client retries those it had not sent elsewhere), the open streams
 *       finish, then the connection closes.</li>
 * </ul>
 * Sits after the codec and the multiplexer; one instance per connection, used on its event loop.
 */
final class Http2ConnectionControl extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionControl.class);

    private final Http2Connection connection;
    private final long keepAliveMillis;
    private final int connectionWindow;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idleTimer;
    private boolean goingAway;

    /** @param connectionWindow the connection-level receive window to announce (at least HTTP/2's default) */
    Http2ConnectionControl(Http2Connection connection, long keepAliveMillis, int connectionWindow) {
        this.connection = connection;
        this.keepAliveMillis = keepAliveMillis;
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(ConnectionTracker.ON_DRAIN).set(this::goAway);
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                cancelIdleTimer();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                // After the codec's own bookkeeping for this stream, which is still running.
                ctx.executor().execute(Http2ConnectionControl.this::streamsChanged);
            }
        });
        widenConnectionWindow();
        armIdleTimer();
    }

    /** The codec has sent its SETTINGS (the preface) when it was added, before this: a WINDOW_UPDATE may follow. */
    private void widenConnectionWindow() {
        Http2Stream connectionStream = connection.connectionStream();
        int delta = connectionWindow - connection.local().flowController().initialWindowSize(connectionStream);
        if (delta > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta));
        }
    }

    /** Sends GOAWAY once and closes the connection once its open streams have finished. */
    void goAway() {
        if (goingAway || !ctx.channel().isActive()) {
            return;
        }
        goingAway = true;
        log.debug("HTTP/2 connection {}: GOAWAY, {} stream(s) open", ctx.channel().remoteAddress(),
                connection.numActiveStreams());
        ctx.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        streamsChanged();
    }

    private void streamsChanged() {
        if (connection.numActiveStreams() > 0 || !ctx.channel().isActive()) {
            return;
        }
        if (goingAway) {
            // Everything written so far goes out before the close.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            armIdleTimer();
        }
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        idleTimer = ctx.executor().schedule(() -> {
            idleTimer = null;
            if (connection.numActiveStreams() == 0) {
                log.debug("closing idle HTTP/2 connection {}: keep-alive timeout", ctx.channel().remoteAddress());
                goAway();
            }
        }, keepAliveMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdleTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || TlsFailures.isTls(cause)) {
            log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("HTTP/2 connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
