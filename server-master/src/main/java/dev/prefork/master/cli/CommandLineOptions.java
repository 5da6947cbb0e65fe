package dev.prefork.master.cli;

import dev.prefork.core.config.ConfigOption;
import dev.prefork.core.config.ShellWords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The picocli command line, built from {@link ConfigOption} (one source of truth for flag names, labels,
 * descriptions and defaults). Picocli applies no defaults: the resolver does, after env and file.
 * No logger here: the log level is not known yet.
 */
final class CommandLineOptions {
    static final String APP_CLASS = "APP_CLASS";
    /** An action, not a setting: no env variable or config-file key (like --help). */
    static final String PREPARE_WORKER_CDS = "--prepare-worker-cds";
    /** Everything after it is the worker command (exec workers), taken word for word as a shell would pass it. */
    static final String END_OF_OPTIONS = "--";

    private final CommandSpec spec;

    /** @param defaultAppClass the application when APP_CLASS is omitted, or null when it is required */
    CommandLineOptions(String defaultAppClass) {
        spec = CommandSpec.create().name("prefork");
        spec.mixinStandardHelpOptions(true);
        spec.parser().overwrittenOptionsAllowed(true);
        spec.usageMessage()
                .sortOptions(false)
                .abbreviateSynopsis(true)
                .description("Runs APP_CLASS in a pool of worker JVMs behind shared listening sockets, or, with "
                        + "'-- CMD ARGS...' at the end (or --worker-command), runs your own service's command as each "
                        + "worker (exec workers: java -jar prefork.jar [OPTIONS] -- java -jar my-service.jar). Every "
                        + "option is also read from the environment (PREFORK_<NAME>) and from --config FILE; "
                        + "precedence: flag > env > file > default.");
        for (ConfigOption option : ConfigOption.values()) {
            spec.addOption(optionSpec(option));
        }
        spec.addOption(OptionSpec.builder(PREPARE_WORKER_CDS).arity("0").type(boolean.class)
                .description("make the workers' class-data archive (AppCDS, or the AOT cache on Java 25+) for these "
                        + "options (see --worker-cds) and exit without serving; 0 when the archive is ready, e.g. to "
                        + "bake it into a container image")
                .build());
        spec.addPositional(PositionalParamSpec.builder()
                .index("0")
                .arity("0..1")
                .paramLabel(APP_CLASS)
                .type(String.class)
                .description(defaultAppClass == null
                        ? "the application class the workers run"
                        : "the application class the workers run (default: " + defaultAppClass + ")")
                .build());
    }

    private static OptionSpec optionSpec(ConfigOption option) {
        String description = option.description() + " (default: " + option.defaultText() + "); env "
                + option.envVar();
        OptionSpec.Builder builder = OptionSpec.builder(option.flag()).description(description);
        switch (option.kind()) {
            case SWITCH:
                return builder.negatable(true).arity("0").type(boolean.class).build();
            case LIST:
                return builder.paramLabel(option.paramLabel()).arity("1")
                        .type(List.class).auxiliaryTypes(String.class).build();
            default:
                return builder.paramLabel(option.paramLabel()).arity("1").type(String.class).build();
        }
    }

    /** @throws CommandLine.ParameterException for unknown options, missing values, extra arguments */
    ParsedCommandLine parse(String[] args) {
        int end = Arrays.asList(args).indexOf(END_OF_OPTIONS);
        String[] options = end < 0 ? args : Arrays.copyOfRange(args, 0, end);
        ParseResult result = new CommandLine(spec).parseArgs(options);
        Map<ConfigOption, List<String>> flags = new EnumMap<>(ConfigOption.class);
        for (ConfigOption option : ConfigOption.values()) {
            if (!result.hasMatchedOption(option.flag())) {
                continue;
            }
            Object value = result.matchedOptionValue(option.flag(), (Object) null);
            if (value instanceof List<?> list) {
                List<String> values = new ArrayList<>();
                list.forEach(v -> values.add(String.valueOf(v)));
                flags.put(option, values);
            } else {
                flags.put(option, List.of(String.valueOf(value)));
            }
        }
        if (end >= 0) {
            List<String> command = Arrays.asList(args).subList(end + 1, args.length);
            if (command.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(spec), "the worker command after '--' is "
                        + "empty; give the command that starts your service, e.g. -- java -jar my-service.jar");
            }
            if (flags.containsKey(ConfigOption.WORKER_COMMAND)) {
                throw new CommandLine.ParameterException(new CommandLine(spec), "a worker command is given twice "
                        + "(--worker-command and after '--'); give it once");
            }
            // Quoted back into one value, so that HUP re-resolves it like any other flag.
            flags.put(ConfigOption.WORKER_COMMAND, List.of(ShellWords.quote(command)));
        }
        String appClass = result.matchedPositionalValue(0, (String) null);
        return new ParsedCommandLine(flags, appClass, result.isUsageHelpRequested(), result.isVersionHelpRequested(),
                result.hasMatchedOption(PREPARE_WORKER_CDS));
    }

    String usage() {
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
