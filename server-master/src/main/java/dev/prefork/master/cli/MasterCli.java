package dev.prefork.master.cli;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ConfigResolver;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.master.cds.WorkerCdsPreparation;
import dev.prefork.master.process.ExecWorkerLauncher;
import dev.prefork.master.process.JvmWorkerLauncher;
import dev.prefork.master.process.WorkerSettingsFactory;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * From argv to a running master: parse, resolve (flag &gt; env &gt; file &gt; default), set the log level, run.
 * Bad input prints one line naming the option, the value and the remedy, and exits 2 with nothing started.
 * No logger here: none may exist before {@code prefork.logLevel} is set.
 */
public final class MasterCli {
    /** System property the logback configuration reads. */
    public static final String LOG_LEVEL_PROPERTY = "prefork.logLevel";

    /** Runs a master with a resolved configuration; {@code reloader} re-resolves for HUP. */
    public interface Runner {
        int run(ServerConfig config, Supplier<ServerConfig> reloader);
    }

    /** Runs {@code --prepare-worker-cds} with a resolved configuration; returns the exit code. */
    public interface CdsPreparer {
        int prepare(ServerConfig config);
    }

    private final Supplier<Map<String, String>> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Runner runner;
    private final CdsPreparer cdsPreparer;

    public MasterCli(Supplier<Map<String, String>> env, PrintStream out, PrintStream err, Runner runner) {
        this(env, out, err, runner, MasterCli::prepareWorkerCds);
    }

    public MasterCli(Supplier<Map<String, String>> env, PrintStream out, PrintStream err, Runner runner,
                     CdsPreparer cdsPreparer) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.runner = runner;
        this.cdsPreparer = cdsPreparer;
    }

    public int execute(String[] args, String defaultAppClass, Consumer<ServerConfig.Builder> customizer) {
        Supplier<ServerConfig.Builder> base = () -> {
            ServerConfig.Builder builder = ServerConfig.builder();
            if (defaultAppClass != null) {
                builder.appClass(defaultAppClass);
            }
            customizer.accept(builder);
            return builder;
        };
        return execute(args, defaultAppClass, base);
    }

    /**
     * Like {@link #execute(String[], String, Consumer)} with the values below the command line, the environment
     * and the config file coming from {@code base} (embedding: the builder's settings act as defaults).
     *
     * @param defaultAppClass the application when APP_CLASS is omitted (shown in the usage)
     */
    public int execute(String[] args, String defaultAppClass, Supplier<ServerConfig.Builder> base) {
        CommandLineOptions options = new CommandLineOptions(defaultAppClass);
        ParsedCommandLine parsed;
        try {
            parsed = options.parse(args);
        } catch (CommandLine.ParameterException e) {
            err.println("prefork: " + e.getMessage() + "; run with --help to see the options");
            return ExitCodes.USAGE;
        }
        if (parsed.helpRequested()) {
            out.print(options.usage());
            return ExitCodes.OK;
        }
        if (parsed.versionRequested()) {
            out.println("prefork " + version());
            return ExitCodes.OK;
        }
        return resolveAndRun(parsed, base);
    }

    private int resolveAndRun(ParsedCommandLine parsed, Supplier<ServerConfig.Builder> base) {
        ConfigResolver resolver = new ConfigResolver(parsed.flags(), parsed.appClass(), base);
        ServerConfig config;
        try {
            config = resolver.resolve(env.get());
            if (config.isExec()) {
                ExecWorkerLauncher.checkUsable(config);
            }
        } catch (ConfigException e) {
            err.println("prefork: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        System.setProperty(LOG_LEVEL_PROPERTY, config.logLevel());
        if (parsed.prepareWorkerCds()) {
            return cdsPreparer.prepare(config);
        }
        return runner.run(config, () -> resolver.resolve(env.get()));
    }

    /** The training worker's settings: CdsTraining runs its own stand-in master, so no real socket is named. */
    private static int prepareWorkerCds(ServerConfig config) {
        if (config.isExec()) {
            System.err.println("prefork: --prepare-worker-cds: exec workers start without a Prefork CDS archive "
                    + "(their command is yours: add -XX:SharedArchiveFile to it if you want one); nothing to prepare");
            return ExitCodes.RUNTIME_FAILURE;
        }
        WorkerSettings training = new WorkerSettingsFactory("cds-training", 1, ProcessHandle.current().pid(),
                new java.util.Random()).settings(1, config, null);
        return WorkerCdsPreparation.await(new JvmWorkerLauncher().prepareCds(training, config), config);
    }

    static String version() {
        String version = MasterCli.class.getPackage().getImplementationVersion();
        if (version != null) {
            return version;
        }
        try (InputStream in = MasterCli.class.getResourceAsStream("/META-INF/maven/dev.prefork/server-master/pom.properties")) {
            if (in != null) {
                Properties props = new Properties();
                props.load(in);
                return props.getProperty("version", "unknown");
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        return "unknown";
    }
}
