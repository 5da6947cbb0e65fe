package dev.prefork.core.testing;

import dev.prefork.core.control.ControlMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random, valid control messages of every kind, for seeded tests of the codec and the frame decoders. */
public final class RandomControlMessages {
    private RandomControlMessages() {
    }

    /** 1..8 messages. */
    public static List<ControlMessage> list(SplittableRandom random) {
        int n = 1 + random.nextInt(9);
        List<ControlMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(one(random));
        }
        return out;
    }

    public static ControlMessage one(SplittableRandom random) {
        return switch (random.nextInt(9)) {
            case 0 -> new ControlMessage.Hello(random.nextInt(), text(random));
            case 1 -> new ControlMessage.SocketsReceived(random.nextInt(65));
            case 2 -> new ControlMessage.Ready();
            case 3 -> new ControlMessage.Heartbeat(random.nextLong(Long.MAX_VALUE));
            case 4 -> new ControlMessage.BootFailed(text(random));
            case 5 -> new ControlMessage.RecycleRequest(random.nextLong(Long.MAX_VALUE));
            case 6 -> {
                long finish = random.nextLong(Long.MAX_VALUE);
                yield new ControlMessage.Drain(random.nextLong(finish + 1), finish);
            }
            case 7 -> new ControlMessage.CertificateServed(random.nextLong());
            default -> new ControlMessage.Stop();
        };
    }

    /** Up to 60 code points from the whole Unicode range (no lone surrogates: UTF-8 cannot carry them). */
    public static String text(SplittableRandom random) {
        int length = random.nextInt(61);
        StringBuilder s = new StringBuilder();
        while (s.codePointCount(0, s.length()) < length) {
            int cp = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(Character.MAX_CODE_POINT + 1);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                s.appendCodePoint(cp);
            }
        }
        return s.toString();
    }
}
