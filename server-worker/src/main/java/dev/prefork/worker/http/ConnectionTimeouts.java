package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that is idle between requests for longer than the keep-alive timeout, or that takes
 * longer than the header timeout to send a whole request head (counted from the connection's start, or from
 * the first byte of a later request). Sits before the HTTP codec to see raw bytes.
 *
 * <p>The hot path only writes two fields: one timer per connection is armed at a time, and when it fires it
 * re-arms itself for the current deadline instead of being cancelled and rescheduled per request.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionTimeouts.class);

    enum Phase {
        /** Waiting for (the rest of) a request head; the header deadline runs. */
        AWAIT_HEAD,
        /** A head arrived; the request is being read or answered. No deadline. */
        IN_REQUEST,
        /** A response was sent and no byte of a next request arrived; the keep-alive deadline runs. */
        IDLE
    }

    private final long keepAliveNanos;
    private final long headerTimeoutNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.AWAIT_HEAD;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;
    private long timerFiresAtNanos;

    ConnectionTimeouts(long keepAliveMillis, long headerTimeoutMillis) {
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        enter(Phase.AWAIT_HEAD, headerTimeoutNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    /** Removed when the connection switches to HTTP/2: its timer must not close the connection later. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            enter(Phase.AWAIT_HEAD, headerTimeoutNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request head was decoded. */
    void headReceived() {
        phase = Phase.IN_REQUEST;
    }

    /** The last queued response was written; the connection stays open for another request. */
    void responseSent() {
        enter(Phase.IDLE, keepAliveNanos);
    }

    private void enter(Phase next, long timeoutNanos) {
        phase = next;
        long now = now();
        deadlineNanos = now + timeoutNanos;
        // A later deadline waits for the armed timer, which re-arms itself; only an earlier one needs a new timer.
        if (timer == null || deadlineNanos - timerFiresAtNanos < 0) {
            if (timer != null) {
                timer.cancel(false);
            }
            arm(now, timeoutNanos);
        }
    }

    private void arm(long now, long delayNanos) {
        timerFiresAtNanos = now + delayNanos;
        timer = ctx.executor().schedule(this::onTimer, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (phase == Phase.IN_REQUEST || !ctx.channel().isActive()) {
            return; // re-armed by the next enter()
        }
        long now = now();
        long remaining = deadlineNanos - now;
        if (remaining > 0) {
            arm(now, remaining);
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("closing {} connection {}: {} timeout", phase == Phase.IDLE ? "idle keep-alive" : "slow",
                    ctx.channel().remoteAddress(), phase == Phase.IDLE ? "keep-alive" : "header");
        }
        ctx.close();
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
