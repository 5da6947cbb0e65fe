package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accumulates control bytes and emits {@link dev.prefork.core.control.ControlMessage}s. An invalid frame
 * closes the control connection, which the worker treats as the master gone. File descriptors (the
 * handshake) pass through untouched.
 */
final class ControlFrameDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(ControlFrameDecoder.class);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
            ControlCodec.Decoded decoded = ControlCodec.decode(view);
            if (decoded instanceof ControlCodec.Decoded.Message) {
                in.skipBytes(view.position());
                out.add(((ControlCodec.Decoded.Message) decoded).message());
            } else if (decoded instanceof ControlCodec.Decoded.Invalid) {
                log.error("invalid control frame from the master ({}); closing the control connection",
                        ((ControlCodec.Decoded.Invalid) decoded).reason());
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            } else {
                return; // need more bytes
            }
        }
    }
}
