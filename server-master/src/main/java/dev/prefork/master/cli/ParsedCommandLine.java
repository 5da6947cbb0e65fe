package dev.prefork.master.cli;

import dev.prefork.core.config.ConfigOption;
import java.util.List;
import java.util.Map;

/**
 * What the command line said, still raw: {@link dev.prefork.core.config.ConfigResolver} layers it over the
 * environment, the file and the defaults.
 *
 * @param flags    values by option, only for options given (a switch is "true" or "false")
 * @param appClass the positional APP_CLASS, or null
 * @param prepareWorkerCds {@code --prepare-worker-cds}: make the workers' CDS archive and exit, serving nothing
 */
record ParsedCommandLine(Map<ConfigOption, List<String>> flags, String appClass, boolean helpRequested,
                                boolean versionRequested, boolean prepareWorkerCds) {
    ParsedCommandLine {
        flags = Map.copyOf(flags);
    }
}
