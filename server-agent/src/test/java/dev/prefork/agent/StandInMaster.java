package dev.prefork.agent;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.SegmentSnapshot;
import dev.prefork.core.segment.WorkerSegment;
import java.util.function.Predicate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Plays the master for one exec worker as the real one does: owns a listening TCP socket and the control socket,
 * admits a Hello only with the right secret from the expected pid (SO_PEERCRED), answers with the listening fd
 * by SCM_RIGHTS and no bytes, and records every frame the worker sends.
 */
final class StandInMaster implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Socket listen;
    private final Path dir;
    private final Path controlPath;
    /** Worker 1's metrics segment, made as the master makes it. */
    private final WorkerSegment segment;
    private final Channel server;
    private final String secret;
    private final List<ControlMessage> received = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private volatile long expectedPid = -1;
    private volatile Channel worker;

    StandInMaster(String secret) throws Exception {
        this.secret = secret;
        listen = Socket.newSocketStream();
        listen.setReuseAddress(true);
        listen.bind(new InetSocketAddress("127.0.0.1", 0));
        listen.listen(128);
        dir = Files.createTempDirectory("prefork-agent-it");
        controlPath = dir.resolve("control.sock");
        segment = WorkerSegment.create(dir.resolve("worker-1.seg"), 1);
        server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(), new MasterSide());
                    }
                })
                .bind(new DomainSocketAddress(controlPath.toString()))
                .sync()
                .channel();
    }

    /** The pid whose Hello is admitted (the spawned worker). */
    void expectPid(long pid) {
        expectedPid = pid;
    }

    private static final class FrameDecoder extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
            ControlCodec.Decoded decoded = ControlCodec.decode(view);
            if (decoded instanceof ControlCodec.Decoded.Message m) {
                in.skipBytes(view.position());
                out.add(m.message());
            } else if (decoded instanceof ControlCodec.Decoded.Invalid invalid) {
                throw new IllegalStateException("invalid frame from the worker: " + invalid.reason());
            }
        }
    }

    private final class MasterSide extends SimpleChannelInboundHandler<ControlMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ControlMessage msg) throws IOException {
            received.add(msg);
            if (msg instanceof ControlMessage.Hello hello) {
                int peerPid = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().pid();
                if (!hello.secret().equals(secret) || peerPid != expectedPid) {
                    refusals.add("secret ok " + hello.secret().equals(secret) + ", peer pid " + peerPid);
                    ctx.close();
                    return;
                }
                worker = ctx.channel();
                ctx.writeAndFlush(new FileDescriptor(listen.intValue()));
            }
        }
    }

    int port() throws IOException {
        return ((InetSocketAddress) listen.localAddress()).getPort();
    }

    String controlPath() {
        return controlPath.toString();
    }

    String segmentPath() {
        return segment.path().toString();
    }

    /** Reads worker 1's segment, as the master does, until {@code until} holds for a valid snapshot. */
    SegmentSnapshot awaitSegment(long pid, String what, Predicate<SegmentSnapshot> until, Duration timeout) {
        SegmentReader reader = new SegmentReader(segment, 1, pid);
        return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            SegmentReader.Result r = reader.read();
            if (r instanceof SegmentReader.Rejected rejected) {
                throw new AssertionError("segment refused: " + rejected.reason());
            }
            return r instanceof SegmentReader.Valid valid ? valid.snapshot() : null;
        }, s -> s != null && until.test(s));
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }

    void send(ControlMessage message) {
        worker.writeAndFlush(Unpooled.wrappedBuffer(ControlCodec.encode(message))).syncUninterruptibly();
    }

    void closeControlConnection() {
        worker.close().syncUninterruptibly();
    }

    List<ControlMessage> received() {
        return List.copyOf(received);
    }

    <T extends ControlMessage> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** Waits for the first frame of a type. */
    <T extends ControlMessage> T await(Class<T> type, Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10))
                .until(() -> received(type), l -> !l.isEmpty()).get(0);
    }

    @Override
    public void close() throws Exception {
        try {
            server.close().syncUninterruptibly();
            Channel w = worker;
            if (w != null) {
                w.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            listen.close();
            Files.deleteIfExists(controlPath);
            Files.deleteIfExists(segment.path());
            Files.deleteIfExists(dir);
        }
    }
}
