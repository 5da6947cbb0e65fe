package dev.prefork.master.control;

import dev.prefork.core.control.netty.ControlFrameDecoder;
import dev.prefork.core.control.netty.ControlFrameEncoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's control socket: a Unix domain socket server (Netty epoll) in the private control directory.
 * Per connection: read {@code Hello} (with a deadline), check SO_PEERCRED and the secret through the
 * {@link WorkerDirectory}, send the listening fds (SCM_RIGHTS, no bytes), wait for {@code SocketsReceived},
 * then report frames to {@link ControlEvents}. Refusals are logged, counted in
 * {@code prefork.control.rejections{reason}} and close only that connection.
 *
 * <p>Everything runs on one daemon event-loop thread, {@code prefork-control-*}: {@link WorkerDirectory#admit} and
 * the {@link ControlEvents} callbacks are called there and must not block.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** How long a new connection has to complete Hello → SocketsReceived. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final Path socketPath;

    private ControlServer(EventLoopGroup group, Channel serverChannel, ChannelGroup connections, Path socketPath) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.socketPath = socketPath;
    }

    public static ControlServer start(Path socketPath, WorkerDirectory directory, ControlEvents events,
                                      MeterRegistry registry) {
        return start(socketPath, directory, events, registry, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * @param handshakeTimeout how long a connection may take from accept to {@code SocketsReceived}
     * @throws IllegalStateException naming the path when the socket cannot be bound
     */
    public static ControlServer start(Path socketPath, WorkerDirectory directory, ControlEvents events,
                                      MeterRegistry registry, Duration handshakeTimeout) {
        Epoll.ensureAvailability();
        Rejections rejections = new Rejections(registry);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("prefork-control", true),
                EpollIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup("prefork-control", group.next());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(ControlFrameDecoder.fromWorkers(), ControlFrameEncoder.INSTANCE,
                                new ControlConnection(directory, events, rejections, handshakeTimeout));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new DomainSocketAddress(socketPath.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("control socket " + socketPath + ": cannot bind ("
                    + bound.cause().getMessage() + "); check that --control-dir is a writable local directory",
                    bound.cause());
        }
        log.debug("control socket listening on {}", socketPath);
        return new ControlServer(group, bound.channel(), connections, socketPath);
    }

    public Path socketPath() {
        return socketPath;
    }

    /**
     * Stops accepting and closes every control connection ({@link ControlEvents#disconnected} fires for
     * connected workers). Workers see EOF on their control socket. Netty removes the socket file.
     */
    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        // Netty fires channelInactive in a task queued after the close: let those run before the loop stops.
        group.submit(() -> { }).awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
