package dev.prefork.worker.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;

/**
 * The master's side of the handshake for the CDS training run, in the training JVM itself: it accepts the one
 * worker connection and passes it the listening socket, as the master does, and ignores what the worker sends
 * (Hello, Ready). It checks no secret or peer: the domain socket lives in the run's private temporary directory.
 * The real master's side (with admission) is {@code master/control/ControlConnection}; it is not on hand here.
 */
final class TrainingMaster {
    private TrainingMaster() {
    }

    /** Listens on {@code path}; close the returned channel when the run is done. */
    static Channel start(EventLoopGroup loop, Path path, int listenFd) throws InterruptedException {
        return new ServerBootstrap()
                .group(loop)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(new FileDescriptor(listenFd));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                })
                .bind(new DomainSocketAddress(path.toString()))
                .sync()
                .channel();
    }
}
