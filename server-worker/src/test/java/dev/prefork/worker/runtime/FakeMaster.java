package dev.prefork.worker.runtime;


import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.SegmentSnapshot;
import dev.prefork.core.segment.WorkerSegment;
import dev.prefork.core.control.netty.ControlFrameDecoder;
import dev.prefork.core.control.netty.ControlFrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Plays the master for one worker: owns a listening TCP socket and the control socket, answers Hello with the
 * listening fd (or refuses), and records every frame the worker sends.
 */
final class FakeMaster implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Socket listen;
    private final Path dir;
    private final Path controlPath;
    /** The metrics segment of worker {@link WorkerProcess#WORKER_ID}, made as the master makes it. */
    private final WorkerSegment segment;
    private final Channel server;
    private final boolean refuse;
    private final List<ControlMessage> received = new CopyOnWriteArrayList<>();
    private volatile Channel worker;
    private volatile boolean workerDisconnected;

    FakeMaster(boolean refuse) throws Exception {
        this.refuse = refuse;
        listen = Socket.newSocketStream();
        listen.setReuseAddress(true);
        listen.bind(new InetSocketAddress("127.0.0.1", 0));
        listen.listen(128);
        dir = Files.createTempDirectory("prefork-worker-test");
        controlPath = dir.resolve("control.sock");
        segment = WorkerSegment.create(dir.resolve("worker.seg"), WorkerProcess.WORKER_ID);
        server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ControlFrameDecoder.fromWorkers(), ControlFrameEncoder.INSTANCE, new MasterSide());
                    }
                })
                .bind(new DomainSocketAddress(controlPath.toString()))
                .sync()
                .channel();
    }

    private final class MasterSide extends SimpleChannelInboundHandler<ControlMessage> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            worker = ctx.channel();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ControlMessage msg) {
            received.add(msg);
            if (msg instanceof ControlMessage.Hello) {
                if (refuse) {
                    ctx.close();
                } else {
                    ctx.writeAndFlush(new FileDescriptor(listen.intValue()));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            workerDisconnected = true;
        }
    }

    int port() throws IOException {
        return ((InetSocketAddress) listen.localAddress()).getPort();
    }

    int listenFd() {
        return listen.intValue();
    }

    String controlPath() {
        return controlPath.toString();
    }

    void send(ControlMessage.FromMaster message) {
        worker.writeAndFlush(message).syncUninterruptibly();
    }

    void closeControlConnection() {
        worker.close().syncUninterruptibly();
    }

    boolean workerDisconnected() {
        return workerDisconnected;
    }

    List<ControlMessage> received() {
        return List.copyOf(received);
    }

    String segmentPath() {
        return segment.path().toString();
    }

    /** The worker's figures as the master reads them, once {@code until} holds; a refused segment fails. */
    SegmentSnapshot awaitFigures(long pid, Predicate<SegmentSnapshot> until, Duration timeout) {
        SegmentReader reader = new SegmentReader(segment, WorkerProcess.WORKER_ID, pid);
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
            SegmentReader.Result read = reader.read();
            if (read instanceof SegmentReader.Rejected rejected) {
                throw new AssertionError("worker " + WorkerProcess.WORKER_ID + "'s segment refused: " + rejected.reason());
            }
            return read instanceof SegmentReader.Valid valid ? valid.snapshot() : null;
        }, s -> s != null && until.test(s));
    }

    <T extends ControlMessage> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** Waits for the first frame of a type. */
    <T extends ControlMessage> T await(Class<T> type, Duration timeout) {
        return org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10))
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
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            listen.close();
            Files.deleteIfExists(controlPath);
            Files.deleteIfExists(segment.path());
            Files.deleteIfExists(dir);
        }
    }
}
