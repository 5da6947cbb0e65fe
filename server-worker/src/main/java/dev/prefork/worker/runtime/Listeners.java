package dev.prefork.worker.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
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
 * bound. A TCP socket is served by an {@link EpollServerSocketChannel}, a Unix one (the fd's SO_DOMAIN says which)
 * by an {@link EpollServerDomainSocketChannel}, which, registered rather than bound, never deletes the socket file
 * (the master removes it at exit). Closing a channel later closes only this process's copy of the fd.
 */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    /** Room for an IPv6 socket address as Netty's native accept writes it. */
    private static final int ADDRESS_BYTES = 26;
    private static final int SOL_SOCKET = 1;
    private static final int SO_DOMAIN = 39;
    private static final int AF_UNIX = 1;

    private final List<AbstractEpollServerChannel> channels;
    private final ChannelHandler childHandler;
    /** False for a standby's listeners until {@link #serveGroup}: registered, but never asked to accept. */
    private final boolean accepting;

    private Listeners(List<AbstractEpollServerChannel> channels, ChannelHandler childHandler, boolean accepting) {
        this.channels = channels;
        this.childHandler = childHandler;
        this.accepting = accepting;
    }

    static Listeners register(List<FileDescriptor> fds, EventLoopGroup loops, ChannelHandler childHandler)
            throws WorkerBootException {
        return register(fds, loops, childHandler, true);
    }

    /**
     * A standby's listeners: registered on the serving loops with auto-read off, so nothing is accepted (the
     * socket's epoll interest has no EPOLLIN until a read is asked for) while every class of the serving path is
     * loaded at boot; {@link #serveGroup} turns accepting on in microseconds.
     */
    static Listeners registerPaused(List<FileDescriptor> fds, EventLoopGroup loops, ChannelHandler childHandler)
            throws WorkerBootException {
        return register(fds, loops, childHandler, false);
    }

    private static Listeners register(List<FileDescriptor> fds, EventLoopGroup loops, ChannelHandler childHandler,
                                      boolean accepting) throws WorkerBootException {
        List<AbstractEpollServerChannel> channels = new ArrayList<>(fds.size());
        for (FileDescriptor fd : fds) {
            int fdNumber = fd.intValue();
            boolean unix = isUnix(fdNumber);
            ChannelFuture registered = new ServerBootstrap()
                    .group(loops)
                    .channelFactory((ChannelFactory<ServerChannel>) () -> unix
                            // active=true: the (int) constructor marks a domain channel inactive, so it would never accept
                            ? new EpollServerDomainSocketChannel(fdNumber, true) : new EpollServerSocketChannel(fdNumber))
                    .option(ChannelOption.AUTO_READ, accepting)
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
            channels.add((AbstractEpollServerChannel) registered.channel());
        }
        if (!accepting) {
            // Changes nothing; links the code path that activation takes, so that it runs in microseconds then.
            setAutoRead(channels, false);
        }
        return new Listeners(channels, childHandler, accepting);
    }

    /** On each listener's own event loop: Netty's path from another thread costs milliseconds the first time. */
    private static void setAutoRead(List<AbstractEpollServerChannel> listeners, boolean on) {
        for (AbstractEpollServerChannel listener : listeners) {
            listener.eventLoop().execute(() -> listener.config().setAutoRead(on));
        }
    }

    /**
     * A standby is activated: of its {@code groups} equal groups of paused listeners, group {@code group} starts
     * accepting and the others are closed (this process's copies only: a reuse-port socket of another slot stays
     * open in its own worker and the master).
     *
     * @return the listeners that now accept
     */
    Listeners serveGroup(int group, int groups) {
        if (accepting || groups < 1 || channels.size() % groups != 0 || group < 0 || group >= groups) {
            throw new IllegalStateException("cannot serve group " + group + " of " + groups + " among "
                    + channels.size() + (accepting ? " accepting" : " paused") + " listeners");
        }
        int perGroup = channels.size() / groups;
        List<AbstractEpollServerChannel> kept = new ArrayList<>(perGroup);
        for (int i = 0; i < channels.size(); i++) {
            if (i / perGroup == group) {
                kept.add(channels.get(i));
            } else {
                channels.get(i).close();
            }
        }
        setAutoRead(kept, true);
        return new Listeners(kept, childHandler, true);
    }

    private static boolean isUnix(int fd) throws WorkerBootException {
        try {
            return new Socket(fd).getIntOpt(SOL_SOCKET, SO_DOMAIN) == AF_UNIX;
        } catch (IOException e) {
            throw new WorkerBootException("cannot read the address family of the listening socket fd " + fd + ": " + e
                    + "; the master passed something that is not a socket", e);
        }
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
        for (AbstractEpollServerChannel listener : channels) {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            each.add(done);
            listener.eventLoop().execute(() -> done.complete(acceptBacklogThenClose(listener)));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> each.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** On the listener's event loop, so Netty's own accept cannot interleave. */
    private int acceptBacklogThenClose(AbstractEpollServerChannel listener) {
        int taken = 0;
        // A standby that never served leaves the backlog to the workers that share the socket.
        if (accepting && listener.isOpen()) {
            listener.config().setAutoRead(false);
            // A view of the same fd, not closed here: closing the listener channel below closes the fd.
            Socket socket = new Socket(listener.fd().intValue());
            byte[] address = new byte[ADDRESS_BYTES];
            EventLoop loop = listener.eventLoop();
            try {
                int accepted;
                while ((accepted = socket.accept(address)) >= 0) {
                    Channel child = listener instanceof EpollServerDomainSocketChannel
                            ? new EpollDomainSocketChannel(accepted) : new EpollSocketChannel(accepted);
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
        for (AbstractEpollServerChannel c : channels) {
            // Registered, not bound: a domain channel does not know its path, the socket does.
            out.add(c instanceof EpollServerDomainSocketChannel
                    ? "unix:" + new Socket(c.fd().intValue()).localDomainSocketAddress().path()
                    : String.valueOf(c.localAddress()));
        }
        return out;
    }
}
