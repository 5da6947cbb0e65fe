package dev.prefork.master.control;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** A worker's end of the control socket, as the worker does it: fd read mode until the sockets arrive. */
final class TestWorkerClient implements AutoCloseable {
    final List<FileDescriptor> fds = new CopyOnWriteArrayList<>();
    final BlockingQueue<ControlMessage> frames = new LinkedBlockingQueue<>();
    /** Bytes that arrived while in fd mode would be lost by a real worker: the master must not send any. */
    final List<Object> unexpected = new CopyOnWriteArrayList<>();
    private final Channel channel;
    private final ByteBuf cumulation = Unpooled.buffer();

    TestWorkerClient(EventLoopGroup group, Path socketPath) throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof FileDescriptor) {
                            fds.add((FileDescriptor) msg);
                        } else if (msg instanceof ByteBuf) {
                            onBytes((ByteBuf) msg);
                        } else {
                            unexpected.add(msg);
                        }
                    }
                })
                .connect(new DomainSocketAddress(socketPath.toString()))
                .sync()
                .channel();
    }

    private void onBytes(ByteBuf bytes) {
        try {
            cumulation.writeBytes(bytes);
            while (true) {
                ByteBuffer view = cumulation.nioBuffer();
                ControlCodec.Decoded decoded = ControlCodec.decode(view);
                if (!(decoded instanceof ControlCodec.Decoded.Message)) {
                    break;
                }
                cumulation.skipBytes(view.position());
                frames.add(((ControlCodec.Decoded.Message) decoded).message());
            }
            cumulation.discardReadBytes();
        } finally {
            bytes.release();
        }
    }

    void send(ControlMessage message) throws InterruptedException {
        sendRaw(ControlCodec.encode(message));
    }

    void sendRaw(byte[] bytes) throws InterruptedException {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).sync();
    }

    /** What the worker does once its sockets arrived: switch to frames. */
    void switchToBytes() throws Exception {
        channel.eventLoop().submit(() ->
                ((EpollDomainSocketChannel) channel).config().setReadMode(DomainSocketReadMode.BYTES)).sync();
    }

    boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() throws IOException {
        channel.close().awaitUninterruptibly();
        for (FileDescriptor fd : fds) {
            fd.close();
        }
    }
}
