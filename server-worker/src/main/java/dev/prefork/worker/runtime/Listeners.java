package dev.prefork.worker.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the listening sockets the master passed. Each fd is already bound, listening and non-blocking (that
 * flag is shared with every process holding the socket, so it stays as it is): the channel is registered, not
 * bound. Closing a channel later closes only this process's copy of the fd.
 */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    /** Room for an IPv6 socket address as Netty's native accept writes it. */
    private static final int ADDRESS_BYTES = 26;

    private final List<EpollServerSocketChannel> channels;
    private final ChannelHandler childHandler;

    private Listeners(List<EpollServerSocketChannel> channels, ChannelHandler childHandler) {
        this.channels = channels;
        this.childHandler = childHandler;
    }

    static Listeners register(List<FileDescriptor> fds, EventLoopGroup loops, ChannelHandler childHandler)
            throws WorkerBootException {
        List<EpollServerSocketChannel> channels = new ArrayList<>(fds.size());
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
                throw new WorkerBootException("cannot serve the listening socket the master passed as fd " + fdNumber + ": "
                        + registered.cause() + "; check the --bind addresses in the master's log", registered.cause());
            }
            channels.add((EpollServerSocketChannel) registered.channel());
        }
        return new Listeners(channels, childHandler);
    }

    /**
     * Stops accepting without dropping the accept backlog (Gunicorn drops it, gunicorn #3397): on each listener's
     * event loop, stop Netty's accepting, accept what is already queued until the socket says EAGAIN, serve those
     * connections like any other, then close this process's copy of the listener.
     *
     * @return completes with the number of queued connections taken from the backlog
     */
    CompletableFuture<Integer> stopAccepting() {
        List<CompletableFuture<Integer>> each = new ArrayList<>(channels.size());
        for (EpollServerSocketChannel listener : channels) {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            each.add(done);
            listener.eventLoop().execute(() -> done.complete(acceptBacklogThenClose(listener)));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> each.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** On the listener's event loop, so Netty's own accept cannot interleave. */
    private int acceptBacklogThenClose(EpollServerSocketChannel listener) {
        int taken = 0;
        if (listener.isOpen()) {
            listener.config().setAutoRead(false);
            // A view of the same fd, not closed here: closing the listener channel below closes the fd.
            Socket socket = new Socket(listener.fd().intValue());
            byte[] address = new byte[ADDRESS_BYTES];
            EventLoop loop = listener.eventLoop();
            try {
                int accepted;
                while ((accepted = socket.accept(address)) >= 0) {
                    EpollSocketChannel child = new EpollSocketChannel(accepted);
                    child.pipeline().addLast(childHandler);
                    loop.register(child);
                    taken++;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("final accept on {} failed after {} connection(s): {}", listener.localAddress(), taken,
                        e.toString());
            }
        }
        listener.close();
        return taken;
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>(channels.size());
        for (Channel c : channels) {
            out.add(String.valueOf(c.localAddress()));
        }
        return out;
    }
}
