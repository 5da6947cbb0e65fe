package dev.prefork.master.control;

import dev.prefork.core.control.ControlCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Cuts the control byte stream into {@link dev.prefork.core.control.ControlMessage}s with {@link ControlCodec}.
 * A bad frame becomes one {@link InvalidFrame} and the rest of the stream is dropped: the connection is closed.
 * {@link ControlCodec#MAX_FRAME} bounds what is buffered.
 */
final class ControlFrameDecoder extends ByteToMessageDecoder {

    /** The peer sent bytes that are not a control frame. */
    record InvalidFrame(String reason) {
    }

    private boolean invalid;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (invalid) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int start = view.position();
        ControlCodec.Decoded decoded = ControlCodec.decode(view);
        if (decoded instanceof ControlCodec.Decoded.Message) {
            in.skipBytes(view.position() - start);
            out.add(((ControlCodec.Decoded.Message) decoded).message());
        } else if (decoded instanceof ControlCodec.Decoded.Invalid) {
            invalid = true;
            in.skipBytes(in.readableBytes());
            out.add(new InvalidFrame(((ControlCodec.Decoded.Invalid) decoded).reason()));
        }
        // NeedMore: wait for the next read.
    }
}
