package dev.prefork.core.control.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.testing.RandomControlMessages;
import dev.prefork.core.testing.Seeds;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared Netty control-frame decoder over seeded random, truncated and corrupted byte streams, cut into random
 * chunks as reads arrive: it never throws out of the pipeline, emits whole messages in order, and after one
 * {@link ControlFrameDecoder.InvalidFrame} emits nothing more (the connection is then closed by its handler).
 */
class ControlFrameDecoderRandomTest {

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.prefork.core.testing.Seeds#seeds")
    void randomBytesNeverThrowAndAnInvalidFrameIsTheLastThingOut(long seed) {
        Seeds.tries(seed, 500, (random, run) -> {
            byte[] bytes = new byte[random.nextInt(3001)];
            random.nextBytes(bytes);
            List<Object> out = feed(bytes, 1 + random.nextInt(64));
            int invalid = indexOfInvalid(out);
            if (invalid >= 0) {
                assertThat(invalid).as("InvalidFrame is the last output")
                        .isEqualTo(out.size() - 1);
            }
            assertThat(out.subList(0, invalid >= 0 ? invalid : out.size())).allMatch(o -> o instanceof ControlMessage);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.prefork.core.testing.Seeds#seeds")
    void aTruncatedStreamOfValidFramesYieldsExactlyTheWholeFramesInIt(long seed) {
        Seeds.tries(seed, 300, (random, run) -> aTruncatedStreamYieldsItsWholeFrames(
                RandomControlMessages.list(random), random.nextInt(101), 1 + random.nextInt(32)));
    }

    private static void aTruncatedStreamYieldsItsWholeFrames(List<ControlMessage> messages, int keepPercent,
                                                             int chunk) {
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

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.prefork.core.testing.Seeds#seeds")
    void aCorruptedByteStopsTheStreamWithoutHurtingAnotherConnection(long seed) {
        Seeds.tries(seed, 300, (random, run) -> {
            List<ControlMessage> messages = RandomControlMessages.list(random);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            messages.forEach(m -> stream.writeBytes(ControlCodec.encode(m)));
            byte[] good = stream.toByteArray();
            byte[] bad = good.clone();
            bad[random.nextInt(10_001) % bad.length] = (byte) random.nextInt(256);

            List<Object> hostile = feed(bad, 7);
            List<Object> honest = feed(good, 7);

            int invalid = indexOfInvalid(hostile);
            assertThat(invalid == -1 || invalid == hostile.size() - 1).isTrue();
            assertThat(honest).containsExactlyElementsOf(messages);
        });
    }

    /** Writes the bytes in chunks as separate reads; any exception escaping the decoder fails the property. */
    private static List<Object> feed(byte[] bytes, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlFrameDecoder<>(ControlMessage.class));
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
