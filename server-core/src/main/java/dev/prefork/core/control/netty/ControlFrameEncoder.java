package dev.prefork.core.control.netty;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes control messages as {@link ControlCodec} frames, for both ends' pipelines; a
 * {@code FileDescriptor} (SCM_RIGHTS) passes by untouched. Stateless, so one instance serves every channel.
 */
@ChannelHandler.Sharable
public final class ControlFrameEncoder extends MessageToByteEncoder<ControlMessage> {
    public static final ControlFrameEncoder INSTANCE = new ControlFrameEncoder();

    private ControlFrameEncoder() {
        super(ControlMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ControlMessage message, ByteBuf out) {
        out.writeBytes(ControlCodec.encode(message));
    }
}
