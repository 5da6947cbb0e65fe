package dev.prefork.master.control;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Supplier;

/** Per-worker secrets: 32 random bytes in hex, from SecureRandom. */
public final class Secrets implements Supplier<String> {
    private static final int BYTES = 32;
    private final SecureRandom random = new SecureRandom();

    @Override
    public String get() {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
