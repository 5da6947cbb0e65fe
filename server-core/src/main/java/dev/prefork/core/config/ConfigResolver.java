package dev.prefork.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Layers the option sources with the contract's precedence, flag &gt; env &gt; file &gt; default, and builds a
 * validated {@link ServerConfig}. Re-run on HUP with the same flags to pick up a changed file or environment.
 */
public final class ConfigResolver {
    private final Map<ConfigOption, List<String>> flags;
    private final String appClass;
    private final Supplier<ServerConfig.Builder> base;

    /**
     * @param flags    raw command-line values by option (a switch's value is "true" or "false")
     * @param appClass the application class named on the command line, or null to take it from {@code base}
     * @param base     where the defaults come from: {@link ServerConfig#builder()} or an embedding builder
     */
    public ConfigResolver(Map<ConfigOption, List<String>> flags, String appClass, Supplier<ServerConfig.Builder> base) {
        this.flags = new EnumMap<>(ConfigOption.class);
        this.flags.putAll(flags);
        this.appClass = appClass;
        this.base = base;
    }

    /** Reads the file named by {@code --config} (or its env var), layers everything, validates, seals. */
    public ServerConfig resolve(Map<String, String> env) {
        Map<ConfigOption, List<String>> effective = new EnumMap<>(ConfigOption.class);
        List<String> configPath = flags.getOrDefault(ConfigOption.CONFIG, envValue(env, ConfigOption.CONFIG));
        if (configPath != null && !configPath.isEmpty()) {
            effective.putAll(readFile(Path.of(configPath.get(configPath.size() - 1))));
            effective.put(ConfigOption.CONFIG, configPath);
        }
        for (ConfigOption option : ConfigOption.values()) {
            List<String> fromEnv = envValue(env, option);
            if (fromEnv != null) {
                effective.put(option, fromEnv);
            }
        }
        effective.putAll(flags);
        ServerConfig.Builder builder = base.get();
        effective.forEach((option, values) -> apply(builder, option, values));
        if (appClass != null) {
            builder.appClass(appClass);
        } else if (effective.containsKey(ConfigOption.WORKER_COMMAND)) {
            // A worker command replaces a default application (the example jar's); an APP_CLASS given on the
            // command line together with it is refused by build().
            builder.appClass(null);
        }
        return builder.build();
    }

    private static List<String> envValue(Map<String, String> env, ConfigOption option) {
        String value = env.get(option.envVar());
        if (value == null) {
            return null;
        }
        return option.kind() == ConfigOption.Kind.LIST ? splitList(value) : List.of(value);
    }

    private static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    static Map<ConfigOption, List<String>> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", file.toString(), "does not exist; give the path of a properties file");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--config", file.toString(), "cannot be read (" + e.getMessage() + "); check its permissions and syntax");
        }
        Map<ConfigOption, List<String>> out = new EnumMap<>(ConfigOption.class);
        for (String key : props.stringPropertyNames()) {
            ConfigOption option = ConfigOption.byKey(key.trim());
            if (option == null || option == ConfigOption.CONFIG) {
                throw new ConfigException("--config", file + ": " + key,
                        "is not an option key; use a flag name without the dashes, e.g. workers=4");
            }
            String value = props.getProperty(key).trim();
            out.put(option, option.kind() == ConfigOption.Kind.LIST ? splitList(value) : List.of(value));
        }
        return out;
    }

    private static void apply(ServerConfig.Builder b, ConfigOption option, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        String flag = option.flag();
        String v = values.get(values.size() - 1).trim();
        switch (option) {
            case BIND -> {
                List<BindAddress> binds = new ArrayList<>();
                for (String value : values) {
                    binds.add(BindAddress.parse(flag, value));
                }
                b.binds(binds);
            }
            case WORKERS -> b.workers(intValue(flag, v));
            case ADMIN -> b.admin(v);
            case TIMEOUT -> b.timeout(seconds(flag, v));
            case GRACEFUL_TIMEOUT -> b.gracefulTimeout(seconds(flag, v));
            case BOOT_TIMEOUT -> b.bootTimeout(seconds(flag, v));
            case DRAIN_DELAY -> b.drainDelay(seconds(flag, v));
            case MAX_REQUESTS -> b.maxRequests(longValue(flag, v));
            case MAX_REQUESTS_JITTER -> b.maxRequestsJitter(longValue(flag, v));
            case WORKER_JVM_OPTS -> b.workerJvmOpts(v);
            case WORKER_CDS -> b.workerCds(autoOrOff(flag, v));
            case PIDFILE -> b.pidfile(v.isEmpty() ? null : Path.of(v));
            case LOG_LEVEL -> b.logLevel(v.toLowerCase(Locale.ROOT));
            case ACCESS_LOG -> b.accessLog(bool(flag, v));
            case REUSE_PORT -> b.reusePort(bool(flag, v));
            case BACKLOG -> b.backlog(intValue(flag, v));
            case KEEP_ALIVE -> b.keepAlive(seconds(flag, v));
            case HEADER_TIMEOUT -> b.headerTimeout(seconds(flag, v));
            case LIMIT_REQUEST_LINE -> b.limitRequestLine(intValue(flag, v));
            case LIMIT_REQUEST_FIELDS -> b.limitRequestFields(intValue(flag, v));
            case LIMIT_REQUEST_FIELD_SIZE -> b.limitRequestFieldSize(intValue(flag, v));
            case LIMIT_REQUEST_BODY -> b.limitRequestBody(longValue(flag, v));
            case CONTROL_DIR -> b.controlDir(Path.of(v));
            case WORKER_COMMAND -> b.workerCommand(workerCommand(flag, v));
            case WORKER_FD -> b.workerFd(intValue(flag, v));
            case CONFIG -> b.configFile(Path.of(v));
            default -> throw new IllegalStateException("unhandled option " + option);
        }
    }

    private static List<String> workerCommand(String flag, String v) {
        List<String> words = ShellWords.split(flag, v);
        if (words.isEmpty()) {
            throw new ConfigException(flag, v, "is empty; give the command that starts your service, e.g. "
                    + flag + " \"java -jar my-service.jar\"");
        }
        return words;
    }

    private static int intValue(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(flag, v, "is not a whole number; give digits only, e.g. " + flag + " 4");
        }
    }

    private static long longValue(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(flag, v, "is not a whole number; give digits only, e.g. " + flag + " 1000");
        }
    }

    /** Seconds, whole or fractional ({@code 0.5}), as Gunicorn accepts. */
    private static Duration seconds(String flag, String v) {
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
    }

    private static boolean autoOrOff(String flag, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "auto", "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new ConfigException(flag, v, "is not a mode; give auto or off");
        };
    }

    private static boolean bool(String flag, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(flag, v, "is not a boolean; give true or false");
        };
    }
}
