package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The worker's half of the handshake: send {@code Hello}, collect exactly {@code socketCount} file
 * descriptors (the channel starts in file-descriptor read mode; the master sends no bytes before our
 * answer), then switch to byte mode and answer {@code SocketsReceived}. A close before that means the
 * master refused us. Removes itself when done.
 */
final class ControlHandshake extends ChannelInboundHandlerAdapter {
    private final int workerId;
    private final String secret;
    private final int socketCount;
    private final CompletableFuture<ControlLink> result;
    private final List<FileDescriptor> fds = new ArrayList<>();

    ControlHandshake(int workerId, String secret, int socketCount, CompletableFuture<ControlLink> result) {
        this.workerId = workerId;
        this.secret = secret;
        this.socketCount = socketCount;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ControlLink.send(ctx.channel(), new ControlMessage.Hello(workerId, secret));
        if (socketCount == 0) {
            complete(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FileDescriptor) || result.isDone()) {
            ctx.fireChannelRead(msg);
            return;
        }
        fds.add((FileDescriptor) msg);
        if (fds.size() == socketCount) {
            complete(ctx);
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        ((EpollDomainSocketChannel) ctx.channel()).config().setReadMode(DomainSocketReadMode.BYTES);
        ControlLink.send(ctx.channel(), new ControlMessage.SocketsReceived(fds.size()));
        ctx.pipeline().remove(this);
        result.complete(new ControlLink(ctx.channel(), fds));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!result.isDone()) {
            result.completeExceptionally(new HandshakeRefusedException("the master closed the control connection after "
                    + fds.size() + " of " + socketCount + " listening sockets: it refused this worker's Hello "
                    + "(unknown id, wrong secret, pid or uid); see the master's log for its reason"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(cause);
        }
        ctx.close();
    }
}
