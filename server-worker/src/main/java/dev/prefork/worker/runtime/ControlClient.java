package dev.prefork.worker.runtime;

import dev.prefork.core.control.netty.ControlFrameDecoder;
import dev.prefork.core.control.netty.ControlFrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import java.util.concurrent.CompletableFuture;

/** Connects to the master's control socket and runs the handshake. */
final class ControlClient {
    private ControlClient() {
    }

    /**
     * @return completes with the link once every listening socket arrived and {@code SocketsReceived} was
     * sent; fails with {@link HandshakeRefusedException} or the connect error
     */
    static CompletableFuture<ControlLink> connect(EventLoopGroup controlLoop, String socketPath, int workerId,
                                                  String secret, int socketCount, WorkerCommands commands) {
        CompletableFuture<ControlLink> handshake = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(controlLoop)
                .channel(EpollDomainSocketChannel.class)
                // From the start: the master's first sends are bare file descriptors.
                .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ControlFrameDecoder.fromMaster(), ControlFrameEncoder.INSTANCE,
                                new ControlHandshake(workerId, secret, socketCount, handshake),
                                new ControlCommandHandler(commands, handshake));
                    }
                });
        ChannelFuture connect = bootstrap.connect(new DomainSocketAddress(socketPath));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                handshake.completeExceptionally(new HandshakeRefusedException("cannot connect to the master's control socket "
                        + socketPath + ": " + f.cause() + "; is the master running?"));
            }
        });
        return handshake;
    }
}
