package dev.prefork.core.config;

import java.util.Locale;

/**
 * A memory limit given as bytes ({@code 268435456}, {@code 256m}, {@code 1g}; k/m/g are binary) or as a percent of
 * the worker's heap limit ({@code 80%}); {@code 0} is off.
 */
public record MemoryLimit(long bytes, int percent) {
    public static final MemoryLimit OFF = new MemoryLimit(0, 0);

    public boolean isOff() {
        return bytes == 0 && percent == 0;
    }

    /** The limit in bytes for a JVM whose heap limit is {@code heapMaxBytes}; 0 (off) when a percent meets no limit. */
    public long bytesOf(long heapMaxBytes) {
        if (percent == 0) {
            return bytes;
        }
        return heapMaxBytes <= 0 ? 0 : heapMaxBytes / 100 * percent;
    }

    /** Bytes or percent; errors name the flag and the remedy. */
    static MemoryLimit parse(String flag, String text) {
        String v = text.trim();
        if (v.endsWith("%")) {
            try {
                int p = Integer.parseInt(v.substring(0, v.length() - 1).trim());
                if (p >= 1 && p <= 100) {
                    return new MemoryLimit(0, p);
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new ConfigException(flag, text, "is not a percent from 1% to 100%; give e.g. " + flag + " 80%");
        }
        return new MemoryLimit(parseBytes(flag, text), 0);
    }

    /** A byte count with an optional binary k/m/g suffix; 0 is off. */
    static long parseBytes(String flag, String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!v.isEmpty() && "kmg".indexOf(v.charAt(v.length() - 1)) >= 0) {
            unit = 1L << (10 * ("kmg".indexOf(v.charAt(v.length() - 1)) + 1));
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ConfigException(flag, text, "is not a byte count; give e.g. " + flag + " 512m (k, m, g: KiB, MiB, GiB) or 0 (off)");
    }

    @Override
    public String toString() {
        return percent > 0 ? percent + "%" : Long.toString(bytes);
    }
}
