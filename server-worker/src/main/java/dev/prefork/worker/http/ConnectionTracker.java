package dev.prefork.worker.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of this process and whether it is draining. Draining makes every later response carry
 * {@code Connection: close}. Idle keep-alive connections are deliberately left open: a client may be sending its
 * next request on one at this very moment, and closing it would fail that request (gunicorn #3394, #2296). Each
 * gets its next response with {@code Connection: close}, or closes at its keep-alive timeout like on any day.
 */
final class ConnectionTracker {
    /**
     * What a connection does when the worker starts draining, run on its event loop: an HTTP/2 connection sends
     * GOAWAY at once (a client never loses a request to it: streams it did not take are safe to retry).
     */
    static final AttributeKey<Runnable> ON_DRAIN = AttributeKey.valueOf("prefork.onDrain");
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final ServingStats stats;
    private final ChannelFutureListener onClose = future -> closed(future.channel());
    private volatile boolean draining;

    ConnectionTracker(ServingStats stats) {
        this.stats = stats;
    }

    void opened(Channel channel) {
        open.add(channel);
        stats.connectionOpened();
        channel.closeFuture().addListener(onClose);
    }

    private void closed(Channel channel) {
        if (open.remove(channel)) {
            stats.connectionClosed();
        }
    }

    boolean isDraining() {
        return draining;
    }

    /** Starts draining: from now on responses close their connection (idle ones are left to their timeout). */
    void drain() {
        draining = true;
        for (Channel channel : open) {
            Runnable onDrain = channel.attr(ON_DRAIN).get();
            if (onDrain != null) {
                channel.eventLoop().execute(onDrain);
            }
        }
    }

    /** Closes every connection, e.g. when the graceful timeout has passed. */
    void closeAll() {
        for (Channel channel : open) {
            channel.close();
        }
    }

    int openCount() {
        return open.size();
    }
}
