package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.unix.FileDescriptor;
import java.util.List;

/** The worker's end of the control connection after the handshake, with the listening sockets it brought. */
final class ControlLink {
    private final Channel channel;
    private final List<FileDescriptor> listenFds;

    ControlLink(Channel channel, List<FileDescriptor> listenFds) {
        this.channel = channel;
        this.listenFds = List.copyOf(listenFds);
    }

    static ChannelFuture send(Channel channel, ControlMessage.FromWorker message) {
        return channel.writeAndFlush(message);
    }

    ChannelFuture send(ControlMessage.FromWorker message) {
        return send(channel, message);
    }

    List<FileDescriptor> listenFds() {
        return listenFds;
    }
}
