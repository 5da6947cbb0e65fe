package dev.prefork.core.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One option's whole definition, like a {@code Setting} in Gunicorn's {@code config.py}: its name, parameter
 * label and help text, its typed default (or a description of a computed or absent one), how a raw value is
 * parsed, what makes a value valid (errors name the option, the value and the remedy) and which
 * {@link ServerConfig} component holds it. {@link ConfigOption} lists one per option; the CLI and its
 * {@code --help}, the environment and file resolution, and {@link ServerConfig}'s defaults, validation and
 * {@code toBuilder} all read them, so nothing about an option is written twice.
 *
 * @param <T> the option's value type in {@link ServerConfig}
 */
final class Setting<T> {
    /** Turns raw values (trimmed, at least one; several only for a list option) into the typed value. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String flag, List<String> values);
    }

    /** Throws a {@link ConfigException} naming {@code flag}, the value and the remedy when {@code value} is bad. */
    @FunctionalInterface
    interface Check<T> {
        void check(String flag, T value);
    }

    private final String key;
    private final String paramLabel;
    private final String description;
    private final ConfigOption.Kind kind;
    private final Parser<T> parser;
    private final Function<T, String> format;
    private final Supplier<T> defaultValue;
    private final String defaultText;
    private final Check<T> check;
    private final Function<ServerConfig, T> read;

    private Setting(String key, String paramLabel, String description, ConfigOption.Kind kind, Parser<T> parser,
                    Function<T, String> format, Supplier<T> defaultValue, String defaultText, Check<T> check,
                    Function<ServerConfig, T> read) {
        this.key = key;
        this.paramLabel = paramLabel;
        this.description = description;
        this.kind = kind;
        this.parser = parser;
        this.format = format;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.check = check;
        this.read = read;
    }

    /** {@code --key LABEL}: the last value given wins; {@code parse} needs no flag for its errors. */
    static <T> Setting<T> plain(String key, String paramLabel, String description, Function<String, T> parse,
                                Function<T, String> format) {
        return new Setting<>(key, paramLabel, description, ConfigOption.Kind.VALUE,
                (flag, values) -> parse.apply(values.get(values.size() - 1)), format, () -> null, null,
                (flag, v) -> { }, null);
    }

    /** {@code --key LABEL}: the last value given wins; {@code parser} names the flag in its errors. */
    static <T> Setting<T> value(String key, String paramLabel, String description, Parser<T> parser,
                                Function<T, String> format) {
        return new Setting<>(key, paramLabel, description, ConfigOption.Kind.VALUE, parser, format, () -> null,
                null, (flag, v) -> { }, null);
    }

    static Setting<Integer> integer(String key, String paramLabel, String description) {
        return wholeNumber(key, paramLabel, description, Integer::valueOf, "4");
    }

    static Setting<Long> longInteger(String key, String paramLabel, String description) {
        return wholeNumber(key, paramLabel, description, Long::valueOf, "1000");
    }

    private static <T extends Number> Setting<T> wholeNumber(String key, String paramLabel, String description,
                                                             Function<String, T> parse, String example) {
        return value(key, paramLabel, description, (flag, values) -> {
            String v = last(values);
            try {
                return parse.apply(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(flag, v, "is not a whole number; give digits only, e.g. " + flag + " " + example);
            }
        }, String::valueOf);
    }

    /** Seconds, whole or fractional ({@code 0.5}), as Gunicorn accepts. */
    static Setting<Duration> seconds(String key, String description) {
        return value(key, "SECONDS", description, (flag, values) -> {
            String v = last(values);
            double s;
            try {
                s = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(flag, v, "is not a number of seconds; give e.g. " + flag + " 30");
            }
            if (Double.isNaN(s) || Double.isInfinite(s) || s < 0 || s > 31_536_000) {
                throw new ConfigException(flag, v, "is out of range; give 0 to 31536000 seconds");
            }
            return Duration.ofNanos((long) (s * 1_000_000_000L));
        }, Setting::secondsText);
    }

    static Setting<Path> path(String key, String paramLabel, String description) {
        return plain(key, paramLabel, description, v -> v.isEmpty() ? null : Path.of(v), Path::toString);
    }

    /** {@code --key} or {@code --no-key}; also true/false, yes/no, on/off, 1/0 in the environment and file. */
    static Setting<Boolean> flag(String key, String description) {
        return new Setting<Boolean>(key, null, description, ConfigOption.Kind.SWITCH, (flag, values) -> {
            String v = last(values);
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new ConfigException(flag, v, "is not a boolean; give true or false");
            };
        }, on -> on ? "on" : "off", () -> false, "off", (flag, v) -> { }, null);
    }

    /** {@code --key LABEL}, repeatable; comma-separated in the environment and the file. */
    static <E> Setting<List<E>> list(String key, String paramLabel, String description, Parser<E> element) {
        return new Setting<>(key, paramLabel, description, ConfigOption.Kind.LIST, (flag, values) -> {
            List<E> out = new ArrayList<>();
            for (String value : values) {
                out.add(element.parse(flag, List.of(value)));
            }
            return List.copyOf(out);
        }, l -> String.join(",", l.stream().map(String::valueOf).toList()), List::of, null, (flag, v) -> { }, null);
    }

    /** The default, shown in {@code --help} and the README as this type formats it. */
    Setting<T> byDefault(T value) {
        return new Setting<>(key, paramLabel, description, kind, parser, format, () -> value, format.apply(value),
                check, read);
    }

    /** A default computed when a configuration is built, shown as {@code text}, e.g. "number of CPUs". */
    Setting<T> byDefault(Supplier<T> value, String text) {
        return new Setting<>(key, paramLabel, description, kind, parser, format, value, text, check, read);
    }

    /** No value by default (null in {@link ServerConfig}); {@code text} says what that means, e.g. "none". */
    Setting<T> absentMeans(String text) {
        return new Setting<>(key, paramLabel, description, kind, parser, format, () -> null, text, check, read);
    }

    /** Adds a check; checks run in {@link ServerConfig.Builder#build()} on every value, however it was set. */
    Setting<T> check(Check<T> more) {
        Check<T> before = check;
        return new Setting<>(key, paramLabel, description, kind, parser, format, defaultValue, defaultText,
                (flag, v) -> {
                    before.check(flag, v);
                    more.check(flag, v);
                }, read);
    }

    /** The {@link ServerConfig} component that holds the value. */
    Setting<T> in(Function<ServerConfig, T> component) {
        return new Setting<>(key, paramLabel, description, kind, parser, format, defaultValue, defaultText, check,
                component);
    }

    String key() {
        return key;
    }

    String paramLabel() {
        return paramLabel;
    }

    String description() {
        return description;
    }

    ConfigOption.Kind kind() {
        return kind;
    }

    String defaultText() {
        return defaultText;
    }

    T defaultValue() {
        return defaultValue.get();
    }

    T parse(String flag, List<String> values) {
        return parser.parse(flag, values);
    }

    T read(ServerConfig config) {
        return read.apply(config);
    }

    /** Checks a value the builder holds for this option; it was put there by this setting or a typed setter. */
    @SuppressWarnings("unchecked")
    void checkHeld(String flag, Object value) {
        check.check(flag, (T) value);
    }

    boolean isComplete() {
        return read != null;
    }

    // ---- checks shared by several options ----

    static Check<Long> range(long min, long max, String remedy) {
        return (flag, v) -> {
            if (v < min || v > max) {
                throw new ConfigException(flag, Long.toString(v), "is out of range; " + remedy);
            }
        };
    }

    static Check<Integer> intRange(int min, int max, String remedy) {
        Check<Long> range = range(min, max, remedy);
        return (flag, v) -> range.check(flag, v.longValue());
    }

    static Check<Duration> atLeastZero() {
        return (flag, d) -> {
            if (d == null || d.isNegative()) {
                throw new ConfigException(flag, String.valueOf(d), "must be 0 or more seconds");
            }
        };
    }

    static Check<Duration> aboveZero() {
        return (flag, d) -> {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new ConfigException(flag, String.valueOf(d), "must be at least 1 second");
            }
        };
    }

    static String last(List<String> values) {
        return values.get(values.size() - 1);
    }

    /** 30 s as "30", 500 ms as "0.5": how the option is written on the command line. */
    static String secondsText(Duration d) {
        return new BigDecimal(d.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }
}
