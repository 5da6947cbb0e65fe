package dev.prefork.worker.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of this process and whether it is draining. Draining makes every later response carry
 * {@code Connection: close}, and closes connections idle between requests.
 */
final class ConnectionTracker {
    /** User event fired through each connection's pipeline when draining starts. */
    static final Object DRAIN_EVENT = new Object() {
        @Override
        public String toString() {
            return "DRAIN_EVENT";
        }
    };

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
        if (draining) {
            // Accepted just before the listeners closed: it is served once, with Connection: close.
            channel.pipeline().fireUserEventTriggered(DRAIN_EVENT);
        }
    }

    private void closed(Channel channel) {
        if (open.remove(channel)) {
            stats.connectionClosed();
        }
    }

    boolean isDraining() {
        return draining;
    }

    /** Starts draining: from now on responses close their connection; idle connections close now. */
    void drain() {
        draining = true;
        for (Channel channel : open) {
            channel.pipeline().fireUserEventTriggered(DRAIN_EVENT);
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
