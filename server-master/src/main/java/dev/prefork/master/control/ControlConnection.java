package dev.prefork.master.control;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.control.netty.ControlFrameDecoder;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control connection's handshake and life: Hello (with a deadline) → admission → fds (SCM_RIGHTS, no bytes)
 * → SocketsReceived → frames to {@link ControlEvents}. Runs on the connection's event loop only.
 */
final class ControlConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ControlConnection.class);

    private enum State { AWAIT_HELLO, AWAIT_SOCKETS_RECEIVED, CONNECTED }

    private final WorkerDirectory directory;
    private final ControlEvents events;
    private final Rejections rejections;
    private final Duration handshakeTimeout;

    private State state = State.AWAIT_HELLO;
    /** Refused or closed: ignore whatever is still buffered. */
    private boolean closing;
    private int workerId = -1;
    private int fdsSent;
    private int peerPid = -1;
    private int peerUid = -1;
    private ScheduledFuture<?> deadline;

    ControlConnection(WorkerDirectory directory, ControlEvents events, Rejections rejections, Duration handshakeTimeout) {
        this.directory = directory;
        this.events = events;
        this.rejections = rejections;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> refuse(ctx, Rejections.TIMEOUT,
                "no complete handshake within " + handshakeTimeout.toMillis() + " ms (stuck in " + state + ")"),
                handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            PeerCredentials credentials = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
            peerPid = credentials.pid();
            peerUid = credentials.uid();
        } catch (IOException e) {
            refuse(ctx, Rejections.NO_CREDENTIALS, "SO_PEERCRED failed: " + e.getMessage());
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof ControlFrameDecoder.InvalidFrame) {
                refuse(ctx, Rejections.GARBAGE, ((ControlFrameDecoder.InvalidFrame) msg).reason());
            } else if (msg instanceof ControlMessage) {
                onMessage(ctx, (ControlMessage) msg);
            } else {
                refuse(ctx, Rejections.GARBAGE, "unexpected " + msg.getClass().getSimpleName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onMessage(ChannelHandlerContext ctx, ControlMessage message) {
        switch (state) {
            case AWAIT_HELLO:
                if (message instanceof ControlMessage.Hello) {
                    onHello(ctx, (ControlMessage.Hello) message);
                } else {
                    refuse(ctx, Rejections.GARBAGE, "expected Hello first, got " + name(message));
                }
                break;
            case AWAIT_SOCKETS_RECEIVED:
                if (!(message instanceof ControlMessage.SocketsReceived)) {
                    refuse(ctx, Rejections.GARBAGE, "expected SocketsReceived, got " + name(message));
                } else if (((ControlMessage.SocketsReceived) message).count() != fdsSent) {
                    refuse(ctx, Rejections.GARBAGE, "worker received " + ((ControlMessage.SocketsReceived) message).count()
                            + " sockets, " + fdsSent + " were sent");
                } else {
                    onSocketsReceived(ctx);
                }
                break;
            case CONNECTED:
                if (message instanceof ControlMessage.Report report) {
                    events.message(workerId, report);
                } else {
                    refuse(ctx, Rejections.GARBAGE, "unexpected " + name(message) + " from an authenticated worker");
                }
                break;
            default:
                throw new IllegalStateException("unknown state " + state);
        }
    }

    private void onHello(ChannelHandlerContext ctx, ControlMessage.Hello hello) {
        workerId = hello.workerId();
        WorkerDirectory.Admission admission = directory.admit(hello.workerId(), hello.secret(), peerPid, peerUid);
        if (admission instanceof WorkerDirectory.Admission.Rejected) {
            WorkerDirectory.Admission.Rejected rejected = (WorkerDirectory.Admission.Rejected) admission;
            refuse(ctx, rejected.reason(), rejected.detail());
            return;
        }
        int[] fds = ((WorkerDirectory.Admission.Accepted) admission).listenFds();
        state = State.AWAIT_SOCKETS_RECEIVED;
        fdsSent = fds.length;
        // Netty sends a FileDescriptor with sendmsg(SCM_RIGHTS) and drops the object without closing the fd:
        // the master's listening sockets stay open for the next workers.
        ChannelFuture last = null;
        for (int fd : fds) {
            last = ctx.write(new FileDescriptor(fd));
        }
        ctx.flush();
        if (last != null) {
            last.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    log.warn("worker {} (pid {}): sending its listening sockets failed: {}", workerId, peerPid,
                            f.cause().toString());
                    ctx.close();
                }
            });
        }
        log.debug("worker {} (pid {}): admitted, sent {} listening sockets", workerId, peerPid, fds.length);
    }

    private void onSocketsReceived(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        state = State.CONNECTED;
        events.connected(workerId, new ChannelWorkerLink(ctx.channel(), workerId, peerPid));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        closing = true;
        if (state == State.CONNECTED) {
            events.disconnected(workerId);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String worker = workerId < 0 ? "?" : Integer.toString(workerId);
        if (cause instanceof IOException) {
            // A worker that dies resets its connection; the supervisor reports the exit.
            log.debug("control connection of worker {} (peer pid {}): {}; closing it", worker, peerPid, cause.toString());
        } else {
            log.warn("control connection of worker {} (peer pid {}): {}; closing it", worker, peerPid, cause.toString());
        }
        closing = true;
        ctx.close();
    }

    /** Counts and logs a refusal before the worker was connected, or a protocol breach after; closes. */
    private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
        if (closing) {
            return;
        }
        closing = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        rejections.record(reason, detail, workerId, peerPid, peerUid);
        ctx.close();
    }

    private static String name(ControlMessage message) {
        return message.getClass().getSimpleName();
    }
}
