package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.control.netty.ControlFrameDecoder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the master's frames into {@link WorkerCommands}; a closed control connection means the master died. */
final class ControlCommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ControlCommandHandler.class);

    private final WorkerCommands commands;
    private final CompletableFuture<ControlLink> handshake;

    ControlCommandHandler(WorkerCommands commands, CompletableFuture<ControlLink> handshake) {
        this.commands = commands;
        this.handshake = handshake;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ControlMessage.Drain drain) {
            commands.drain(DrainOrder.fromMaster(drain, System.nanoTime()));
        } else if (msg instanceof ControlMessage.Activate activate) {
            commands.activate(activate.slot(), activate.socketGroup());
        } else if (msg instanceof ControlMessage.Stop) {
            commands.stop("the master's Stop");
        } else if (msg instanceof ControlFrameDecoder.InvalidFrame invalid) {
            log.error("invalid control frame from the master ({}); closing the control connection", invalid.reason());
            ctx.close();
        } else {
            log.warn("ignoring unexpected control message from the master: {}", msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshake.isDone() && !handshake.isCompletedExceptionally()) {
            commands.controlLost("the control connection closed");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.error("control connection failed; closing it", cause);
        ctx.close();
    }
}
