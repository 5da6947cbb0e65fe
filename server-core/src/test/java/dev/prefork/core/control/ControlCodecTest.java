package dev.prefork.core.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.testing.Seeds;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControlCodecTest {

    static final List<ControlMessage> SAMPLES = List.of(
            new ControlMessage.Hello(7, "s3cr3t"),
            new ControlMessage.SocketsReceived(2),
            new ControlMessage.Ready(),
            new ControlMessage.Heartbeat(42),
            new ControlMessage.BootFailed("class com.example.App not found; check APP_CLASS"),
            new ControlMessage.RecycleRequest(1000),
            new ControlMessage.StandingBy(),
            new ControlMessage.Drain(2500, 7500),
            new ControlMessage.Activate(3, 0),
            new ControlMessage.Stop());

    @Test
    void everyMessageRoundTrips() {
        for (ControlMessage m : SAMPLES) {
            ByteBuffer buf = ByteBuffer.wrap(ControlCodec.encode(m));
            ControlCodec.Decoded d = ControlCodec.decode(buf);
            assertThat(d).isEqualTo(new ControlCodec.Decoded.Message(m));
            assertThat(buf.hasRemaining()).isFalse();
        }
    }

    @Test
    void everyMessageTypeHasItsOwnFrameType() {
        // Two branches once both took type 8; a collision decodes one message as the other.
        List<ControlMessage> all = new ArrayList<>(SAMPLES);
        all.add(new ControlMessage.CertificateServed(1_700_000_000L));
        assertThat(all.stream().map(Object::getClass).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(leaves(ControlMessage.class));
        assertThat(all.stream().map(m -> ControlCodec.encode(m)[2]).toList()).doesNotHaveDuplicates();
    }

    private static Set<Class<?>> leaves(Class<?> sealed) {
        Set<Class<?>> out = new HashSet<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isSealed()) {
                out.addAll(leaves(c));
            } else {
                out.add(c);
            }
        }
        return out;
    }

    @Test
    void anActivateWithANegativeSlotIsInvalid() {
        byte[] frame = {0, 9, 12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0};
        assertThat(ControlCodec.decode(ByteBuffer.wrap(frame))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
    }

    @Test
    void theRetiredJvmStatsTypeIsAnUnknownFrame() {
        // Type 8 carried an exec worker's JVM figures before its agent wrote them into its segment.
        byte[] frame = new byte[2 + 1 + 5 * 8 + 4];
        frame[1] = (byte) (frame.length - 2);
        frame[2] = 8;
        assertThat(ControlCodec.decode(ByteBuffer.wrap(frame)))
                .isEqualTo(new ControlCodec.Decoded.Invalid("unknown frame type 8"));
    }

    @Test
    void framesSplitAnywhereNeedMoreThenDecode() {
        byte[] frame = ControlCodec.encode(new ControlMessage.Hello(1, "abc"));
        for (int cut = 0; cut < frame.length; cut++) {
            ByteBuffer partial = ByteBuffer.wrap(frame, 0, cut).slice();
            assertThat(ControlCodec.decode(partial)).isInstanceOf(ControlCodec.Decoded.NeedMore.class);
            assertThat(partial.position()).isZero();
        }
    }

    @Test
    void twoFramesInOneBufferDecodeInOrder() {
        byte[] a = ControlCodec.encode(new ControlMessage.Ready());
        byte[] b = ControlCodec.encode(new ControlMessage.Heartbeat(4));
        ByteBuffer buf = ByteBuffer.allocate(a.length + b.length).put(a).put(b).flip();
        assertThat(ControlCodec.decode(buf)).isEqualTo(new ControlCodec.Decoded.Message(new ControlMessage.Ready()));
        assertThat(ControlCodec.decode(buf)).isEqualTo(new ControlCodec.Decoded.Message(new ControlMessage.Heartbeat(4)));
    }

    @Test
    void unknownTypeTrailingBytesAndOversizeAreInvalid() {
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 1, 99}))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 2, 3, 0}))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 3}))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 0}))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
        // A Hello whose string claims more bytes than the frame holds.
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 8, 1, 0, 0, 0, 1, 0, 50, 'x'})))
                .isEqualTo(new ControlCodec.Decoded.Invalid("frame type 1 is truncated"));
        // A Drain whose accept period outlasts its deadline: the record refuses it, the codec reports it.
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 17, 10, 0, 0, 0, 0, 0, 0, 0, 9,
                0, 0, 0, 0, 0, 0, 0, 1}))).isInstanceOf(ControlCodec.Decoded.Invalid.class);
        // Invalid UTF-8 in a string.
        assertThat(ControlCodec.decode(ByteBuffer.wrap(new byte[] {0, 8, 1, 0, 0, 0, 1, 0, 1, (byte) 0xff})))
                .isInstanceOf(ControlCodec.Decoded.Invalid.class);
    }

    /** Random byte strings: never an exception, and a decoded message consumes exactly one whole frame. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.prefork.core.testing.Seeds#seeds")
    void randomBytesNeverThrowAndNeverOverConsume(long seed) {
        Seeds.tries(seed, 2000, (random, run) -> {
            byte[] bytes = new byte[random.nextInt(65)];
            random.nextBytes(bytes);
            // A valid length prefix now and then, so that whole frames are tried too.
            if (bytes.length >= 2 && random.nextBoolean()) {
                bytes[0] = 0;
                bytes[1] = (byte) (bytes.length - 2);
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            ControlCodec.Decoded d = ControlCodec.decode(buf);
            assertThat(d).isNotNull();
            if (d instanceof ControlCodec.Decoded.Message) {
                assertThat(buf.position()).isBetween(3, bytes.length);
            } else {
                assertThat(buf.position()).isZero();
            }
        });
    }

    /** Every sample frame, truncated anywhere and with one byte corrupted anywhere: never an exception. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.prefork.core.testing.Seeds#seeds")
    void truncatedOrCorruptedValidFramesNeverThrow(long seed) {
        Seeds.tries(seed, 1000, (random, run) -> {
            byte[] copy = ControlCodec.encode(SAMPLES.get(random.nextInt(SAMPLES.size())));
            int cut = random.nextInt(201);
            int flipAt = random.nextInt(201);
            copy[flipAt % copy.length] ^= (byte) 0x5a;
            ByteBuffer buf = ByteBuffer.wrap(copy, 0, Math.min(cut, copy.length)).slice();
            assertThat(ControlCodec.decode(buf)).isNotNull();
        });
    }

    @Test
    void aLongBootFailedReasonKeepsUpTo900BytesOfUtf8() {
        String ascii = "x".repeat(850);
        assertThat(((ControlMessage.BootFailed) decodeOne(new ControlMessage.BootFailed(ascii))).reason())
                .as("ASCII: not cut at a third").isEqualTo(ascii);
        String wide = "\u20ac".repeat(400) + "\uD83D\uDE00";
        String decoded = ((ControlMessage.BootFailed) decodeOne(new ControlMessage.BootFailed(wide))).reason();
        assertThat(decoded).isEqualTo("\u20ac".repeat(300));
        assertThat(ControlCodec.truncate("ab\uD83D\uDE00", 5)).as("never half a surrogate pair").isEqualTo("ab");
    }

    private static ControlMessage decodeOne(ControlMessage message) {
        ControlCodec.Decoded decoded = ControlCodec.decode(java.nio.ByteBuffer.wrap(ControlCodec.encode(message)));
        return ((ControlCodec.Decoded.Message) decoded).message();
    }
}
