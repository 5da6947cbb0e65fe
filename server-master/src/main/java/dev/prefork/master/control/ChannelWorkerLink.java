package dev.prefork.master.control;

import dev.prefork.core.control.ControlMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link WorkerLink} over a Netty channel: thread-safe because Netty hands writes to the channel's event loop. */
final class ChannelWorkerLink implements WorkerLink {
    private static final Logger log = LoggerFactory.getLogger(ChannelWorkerLink.class);

    private final Channel channel;
    private final int workerId;
    private final long peerPid;

    ChannelWorkerLink(Channel channel, int workerId, long peerPid) {
        this.channel = channel;
        this.workerId = workerId;
        this.peerPid = peerPid;
    }

    @Override
    public long peerPid() {
        return peerPid;
    }

    @Override
    public void send(ControlMessage.FromMaster message) {
        if (!channel.isActive()) {
            log.debug("worker {}: control link closed, dropped {}", workerId, message);
            return;
        }
        channel.writeAndFlush(message)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        log.debug("worker {}: sending {} failed: {}", workerId, message, f.cause().toString());
                    }
                });
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "WorkerLink[worker " + workerId + ", " + (channel.isActive() ? "open" : "closed") + "]";
    }
}
