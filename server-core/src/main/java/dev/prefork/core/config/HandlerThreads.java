package dev.prefork.core.config;

/**
 * Where blocking handlers run ({@code --threads}): nowhere (0, the default: every handler runs on its event loop),
 * a per-worker pool of {@code platform} threads (Gunicorn's gthread), or one virtual thread per request (Java 21+).
 */
public record HandlerThreads(int platform, boolean virtual) {
    public static final int MAX_PLATFORM = 4096;
    public static final HandlerThreads NONE = new HandlerThreads(0, false);
    public static final HandlerThreads VIRTUAL = new HandlerThreads(0, true);
    /** The first Java release with virtual threads as a final feature (JEP 444). */
    public static final int VIRTUAL_MIN_JAVA = 21;

    public HandlerThreads {
        if (platform < 0 || platform > MAX_PLATFORM || virtual && platform != 0) {
            throw new IllegalArgumentException("threads " + platform + (virtual ? " and virtual" : "")
                    + ": give 0.." + MAX_PLATFORM + " platform threads or virtual");
        }
    }

    /** {@code N} (0..4096) or {@code virtual}; errors name {@code option}. */
    public static HandlerThreads parse(String option, String text) {
        String value = text == null ? "" : text.trim();
        if (value.equalsIgnoreCase("virtual")) {
            return VIRTUAL;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(option, text, "is neither a thread count nor 'virtual'; give e.g. "
                    + option + " 32 or " + option + " virtual");
        }
        if (n < 0 || n > MAX_PLATFORM) {
            throw new ConfigException(option, text, "is out of range; give 0 (handlers on the event loop) to "
                    + MAX_PLATFORM + " threads, or virtual");
        }
        return new HandlerThreads(n, false);
    }

    /** True when blocking handlers have threads to run on. */
    public boolean enabled() {
        return virtual || platform > 0;
    }

    /** As {@link #parse} reads it: {@code virtual} or the count. */
    @Override
    public String toString() {
        return virtual ? "virtual" : Integer.toString(platform);
    }
}
