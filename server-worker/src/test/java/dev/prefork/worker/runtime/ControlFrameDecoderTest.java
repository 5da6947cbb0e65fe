package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ControlFrameDecoderTest {
    @Test
    void decodesFramesSplitAndJoinedAnyhow() {
        EmbeddedChannel ch = new EmbeddedChannel(new ControlFrameDecoder());
        byte[] drain = ControlCodec.encode(new ControlMessage.Drain(250, 750));
        byte[] stop = ControlCodec.encode(new ControlMessage.Stop());
        byte[] both = new byte[drain.length + stop.length];
        System.arraycopy(drain, 0, both, 0, drain.length);
        System.arraycopy(stop, 0, both, drain.length, stop.length);
        ch.writeInbound(Unpooled.wrappedBuffer(both, 0, 3));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(both, 3, both.length - 3));
        assertThat((Object) ch.readInbound()).isEqualTo(new ControlMessage.Drain(250, 750));
        assertThat((Object) ch.readInbound()).isEqualTo(new ControlMessage.Stop());
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void anInvalidFrameClosesTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new ControlFrameDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 99}));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
    }
}
