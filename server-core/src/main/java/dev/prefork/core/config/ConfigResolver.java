package dev.prefork.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
        b.set(option, option.setting().parse(option.flag(), values.stream().map(String::trim).toList()));
    }
}
