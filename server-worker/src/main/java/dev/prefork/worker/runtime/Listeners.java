package dev.prefork.worker.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves the listening sockets the master passed. Each fd is already bound, listening and non-blocking (that
 * flag is shared with every process holding the socket, so it stays as it is): the channel is registered, not
 * bound. Closing a channel later closes only this process's copy of the fd.
 */
final class Listeners {
    private final List<Channel> channels;

    private Listeners(List<Channel> channels) {
        this.channels = channels;
    }

    static Listeners register(List<FileDescriptor> fds, EventLoopGroup loops, ChannelHandler childHandler)
            throws BootFailure {
        List<Channel> channels = new ArrayList<>(fds.size());
        for (FileDescriptor fd : fds) {
            int fdNumber = fd.intValue();
            ChannelFuture registered = new ServerBootstrap()
                    .group(loops)
                    .channelFactory((ChannelFactory<ServerChannel>) () -> new EpollServerSocketChannel(fdNumber))
                    .childHandler(childHandler)
                    .register()
                    .awaitUninterruptibly();
            if (!registered.isSuccess()) {
                for (Channel c : channels) {
                    c.close();
                }
                throw new BootFailure("cannot serve the listening socket the master passed as fd " + fdNumber + ": "
                        + registered.cause() + "; check the --bind addresses in the master's log", registered.cause());
            }
            channels.add(registered.channel());
        }
        return new Listeners(channels);
    }

    void closeAll() {
        for (Channel c : channels) {
            c.close();
        }
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>(channels.size());
        for (Channel c : channels) {
            out.add(String.valueOf(c.localAddress()));
        }
        return out;
    }
}
