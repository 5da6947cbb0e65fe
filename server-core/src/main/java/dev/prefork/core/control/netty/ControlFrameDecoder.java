package dev.prefork.core.control.netty;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Cuts the control byte stream into messages of one direction with {@link ControlCodec}, for both ends' Netty
 * pipelines (the master reads {@link ControlMessage.FromWorker}, the worker {@link ControlMessage.FromMaster}).
 * A bad frame, or a message from the wrong side, becomes one {@link InvalidFrame} and the rest of the stream is
 * dropped: the handler closes the connection. {@link ControlCodec#MAX_FRAME} bounds what is buffered. File
 * descriptors (the handshake) pass through untouched: they never reach a decoder.
 *
 * @param <M> the direction this end reads
 */
public final class ControlFrameDecoder<M extends ControlMessage> extends ByteToMessageDecoder {

    /** The peer sent bytes that are not a control frame for this end. */
    public record InvalidFrame(String reason) {
    }

    private final Class<M> direction;
    private boolean invalid;

    ControlFrameDecoder(Class<M> direction) {
        this.direction = direction;
    }

    /** The master's: frames from workers. */
    public static ControlFrameDecoder<ControlMessage.FromWorker> fromWorkers() {
        return new ControlFrameDecoder<>(ControlMessage.FromWorker.class);
    }

    /** The worker's: frames from the master. */
    public static ControlFrameDecoder<ControlMessage.FromMaster> fromMaster() {
        return new ControlFrameDecoder<>(ControlMessage.FromMaster.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!invalid && in.isReadable()) {
            ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
            ControlCodec.Decoded decoded = ControlCodec.decode(view);
            if (decoded instanceof ControlCodec.Decoded.Message m) {
                if (!direction.isInstance(m.message())) {
                    invalidate(in, out, m.message().getClass().getSimpleName() + " is not a "
                            + direction.getSimpleName() + " message");
                    return;
                }
                in.skipBytes(view.position());
                out.add(m.message());
            } else if (decoded instanceof ControlCodec.Decoded.Invalid i) {
                invalidate(in, out, i.reason());
                return;
            } else {
                return; // NeedMore: wait for the next read.
            }
        }
        if (invalid) {
            in.skipBytes(in.readableBytes());
        }
    }

    private void invalidate(ByteBuf in, List<Object> out, String reason) {
        invalid = true;
        in.skipBytes(in.readableBytes());
        out.add(new InvalidFrame(reason));
    }
}
