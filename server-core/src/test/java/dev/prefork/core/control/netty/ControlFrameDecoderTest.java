package dev.prefork.core.control.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ControlFrameDecoderTest {
    @Test
    void decodesFramesSplitAndJoinedAnyhow() {
        EmbeddedChannel ch = new EmbeddedChannel(ControlFrameDecoder.fromMaster());
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
    void anInvalidFrameIsReportedOnceAndTheRestDropped() {
        EmbeddedChannel ch = new EmbeddedChannel(ControlFrameDecoder.fromMaster());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 99}));
        assertThat((Object) ch.readInbound()).isInstanceOf(ControlFrameDecoder.InvalidFrame.class);
        ch.writeInbound(Unpooled.wrappedBuffer(ControlCodec.encode(new ControlMessage.Stop())));
        assertThat((Object) ch.readInbound()).isNull();
    }

    /** Direction is checked where frames enter: a worker never takes a worker's message from "the master". */
    @Test
    void aMessageFromTheWrongSideIsInvalid() {
        EmbeddedChannel master = new EmbeddedChannel(ControlFrameDecoder.fromWorkers());
        master.writeInbound(Unpooled.wrappedBuffer(ControlCodec.encode(new ControlMessage.Stop())));
        assertThat((Object) master.readInbound()).isEqualTo(
                new ControlFrameDecoder.InvalidFrame("Stop is not a FromWorker message"));

        EmbeddedChannel worker = new EmbeddedChannel(ControlFrameDecoder.fromMaster());
        worker.writeInbound(Unpooled.wrappedBuffer(ControlCodec.encode(new ControlMessage.Ready())));
        assertThat((Object) worker.readInbound()).isInstanceOf(ControlFrameDecoder.InvalidFrame.class);
    }

    @Test
    void theEncoderWritesFramesAndLetsFileDescriptorsPass() {
        EmbeddedChannel ch = new EmbeddedChannel(ControlFrameEncoder.INSTANCE);
        ch.writeOutbound(new ControlMessage.Ready(), "not a message");
        io.netty.buffer.ByteBuf frame = ch.readOutbound();
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes).release();
        assertThat(bytes).isEqualTo(ControlCodec.encode(new ControlMessage.Ready()));
        assertThat((Object) ch.readOutbound()).isEqualTo("not a message");
    }
}
