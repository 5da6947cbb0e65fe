package dev.prefork.master;

import dev.prefork.core.config.ConfigOption;
import java.util.List;
import java.util.Map;

/**
 * What the command line said, still raw: {@link dev.prefork.core.config.ConfigResolver} layers it over the
 * environment, the file and the defaults.
 *
 * @param flags    values by option, only for options given (a switch is "true" or "false")
 * @param appClass the positional APP_CLASS, or null
 */
public record ParsedCommandLine(Map<ConfigOption, List<String>> flags, String appClass, boolean helpRequested,
                                boolean versionRequested) {
    public ParsedCommandLine {
        flags = Map.copyOf(flags);
    }
}
