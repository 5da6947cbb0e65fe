package dev.prefork.master.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The master's Netty control-frame decoder over random, truncated and corrupted byte streams, cut into random
 * chunks as reads arrive: it never throws out of the pipeline, emits whole messages in order, and after one
 * {@link ControlFrameDecoder.InvalidFrame} emits nothing more (the connection is then closed by its handler).
 */
class ControlFrameDecoderPropertiesTest {

    @Property(tries = 500)
    void randomBytesNeverThrowAndAnInvalidFrameIsTheLastThingOut(@ForAll @Size(max = 3000) byte[] bytes,
                                                                  @ForAll @IntRange(min = 1, max = 64) int chunk) {
        List<Object> out = feed(bytes, chunk);
        int invalid = indexOfInvalid(out);
        if (invalid >= 0) {
            assertThat(invalid).as("InvalidFrame is the last output").isEqualTo(out.size() - 1);
        }
        assertThat(out.subList(0, invalid >= 0 ? invalid : out.size())).allMatch(o -> o instanceof ControlMessage);
    }

    @Property(tries = 300)
    void aTruncatedStreamOfValidFramesYieldsExactlyTheWholeFramesInIt(@ForAll("messages") List<ControlMessage> messages,
                                                                      @ForAll @IntRange(min = 0, max = 100) int keepPercent,
                                                                      @ForAll @IntRange(min = 1, max = 32) int chunk) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        for (ControlMessage m : messages) {
            stream.writeBytes(ControlCodec.encode(m));
            ends.add(stream.size());
        }
        byte[] all = stream.toByteArray();
        int cut = all.length * keepPercent / 100;
        long whole = ends.stream().filter(end -> end <= cut).count();

        List<Object> out = feed(Arrays.copyOf(all, cut), chunk);

        assertThat(out).hasSize((int) whole).allMatch(o -> o instanceof ControlMessage);
        assertThat(out).containsExactlyElementsOf(messages.subList(0, (int) whole));
    }

    @Property(tries = 300)
    void aCorruptedByteStopsTheStreamWithoutHurtingAnotherConnection(@ForAll("messages") List<ControlMessage> messages,
                                                                      @ForAll @IntRange(min = 0, max = 10_000) int where,
                                                                      @ForAll byte value) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        messages.forEach(m -> stream.writeBytes(ControlCodec.encode(m)));
        byte[] good = stream.toByteArray();
        byte[] bad = good.clone();
        bad[where % bad.length] = value;

        List<Object> hostile = feed(bad, 7);
        List<Object> honest = feed(good, 7);

        int invalid = indexOfInvalid(hostile);
        assertThat(invalid == -1 || invalid == hostile.size() - 1).isTrue();
        assertThat(honest).containsExactlyElementsOf(messages);
    }

    @Provide
    Arbitrary<List<ControlMessage>> messages() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<ControlMessage> one = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers(), text).as(ControlMessage.Hello::new),
                Arbitraries.integers().between(0, 64).map(ControlMessage.SocketsReceived::new),
                Arbitraries.just(new ControlMessage.Ready()),
                Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.integers().greaterOrEqual(0), Arbitraries.longs().greaterOrEqual(0))
                        .as(ControlMessage.Heartbeat::new),
                text.map(ControlMessage.BootFailed::new),
                Arbitraries.longs().greaterOrEqual(0).map(ControlMessage.RecycleRequest::new),
                Arbitraries.just(new ControlMessage.Stop()));
        return one.list().ofMinSize(1).ofMaxSize(8);
    }

    /** Writes the bytes in chunks as separate reads; any exception escaping the decoder fails the property. */
    private static List<Object> feed(byte[] bytes, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlFrameDecoder());
        for (int i = 0; i < bytes.length; i += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
        }
        channel.checkException();
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static int indexOfInvalid(List<Object> out) {
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof ControlFrameDecoder.InvalidFrame) {
                return i;
            }
        }
        return -1;
    }
}
