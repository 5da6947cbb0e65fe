package dev.prefork.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.BindAddress;
import dev.prefork.core.config.ConfigOption;
import dev.prefork.core.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MasterCliTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ServerConfig ran;
    private Supplier<ServerConfig> reloader;
    private int runs;
    private ServerConfig prepared;

    private int execute(String... args) {
        return executeWithDefault(null, args);
    }

    private int executeWithDefault(String defaultAppClass, String... args) {
        MasterCli cli = new MasterCli(() -> Map.copyOf(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (config, reload) -> {
                    ran = config;
                    reloader = reload;
                    runs++;
                    return 0;
                }, config -> {
                    prepared = config;
                    return 7;
                });
        return cli.execute(args, defaultAppClass, b -> b.workerSystemProperty("example.flag", "on"));
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--workers|0|--workers",
            "--workers|many|--workers",
            "--timeout|-1|--timeout",
            "--bind|localhost|--bind",
            "--log-level|loud|--log-level",
            "--max-requests|x|--max-requests",
            "--worker-jvm-opts|Xmx64m|--worker-jvm-opts",
            "--admin|nowhere|--admin"})
    void aBadValueExits2WithOneLineNamingTheOptionAndValue(String flag, String value, String named) {
        int code = execute(flag, value, "test.App");

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(runs).as("nothing started").isZero();
        String message = errText();
        assertThat(message.lines()).hasSize(1);
        assertThat(message).startsWith("prefork: ").contains(named).contains(value);
    }

    @Test
    void aBadEnvironmentValueNamesTheOption() {
        env.put("PREFORK_WORKERS", "lots");

        assertThat(execute("test.App")).isEqualTo(ExitCodes.USAGE);
        assertThat(errText()).contains("--workers").contains("'lots'");
    }

    @Test
    void aMissingAppClassSaysHowToNameIt() {
        assertThat(execute("--workers", "2")).isEqualTo(ExitCodes.USAGE);
        assertThat(errText()).contains("APP_CLASS").contains("is missing");
    }

    @Test
    void anUnknownOptionExits2AndPointsAtHelp() {
        assertThat(execute("--wrokers", "2", "test.App")).isEqualTo(ExitCodes.USAGE);
        assertThat(errText()).contains("--wrokers").contains("--help");
        assertThat(errText().lines()).hasSize(1);
    }

    @Test
    void aMissingFileNamesTheConfigOption() {
        assertThat(execute("--config", dir.resolve("nope.properties").toString(), "test.App")).isEqualTo(ExitCodes.USAGE);
        assertThat(errText()).contains("--config").contains("nope.properties");
    }

    @Test
    void precedenceIsFlagThenEnvThenFileThenDefault() throws IOException {
        Path file = dir.resolve("prefork.properties");
        Files.writeString(file, "workers=3\ntimeout=11\ngraceful-timeout=12\nmax-requests=13\n");
        env.put("PREFORK_TIMEOUT", "21");
        env.put("PREFORK_GRACEFUL_TIMEOUT", "22");
        env.put("PREFORK_CONFIG", file.toString());

        int code = execute("--timeout", "31", "test.App");

        assertThat(code).isZero();
        assertThat(ran.timeout()).as("flag beats env and file").isEqualTo(Duration.ofSeconds(31));
        assertThat(ran.gracefulTimeout()).as("env beats file").isEqualTo(Duration.ofSeconds(22));
        assertThat(ran.workers()).as("file beats default").isEqualTo(3);
        assertThat(ran.maxRequests()).isEqualTo(13);
        assertThat(ran.keepAlive()).as("default").isEqualTo(Duration.ofSeconds(5));
        assertThat(ran.workerSystemProperties()).containsEntry("example.flag", "on");
    }

    @Test
    void bindIsRepeatableAndTheLastSwitchWins() {
        execute("--bind", "127.0.0.1:8001", "--bind", "[::1]:8002", "--access-log", "--no-access-log",
                "--reuse-port", "test.App");

        assertThat(ran.binds()).containsExactly(new BindAddress("127.0.0.1", 8001), new BindAddress("::1", 8002));
        assertThat(ran.accessLog()).isFalse();
        assertThat(ran.reusePort()).isTrue();
    }

    @Test
    void aNegatedSwitchOverridesTheEnvironment() {
        env.put("PREFORK_ACCESS_LOG", "true");

        execute("--no-access-log", "test.App");

        assertThat(ran.accessLog()).isFalse();
    }

    @Test
    void theDefaultAppClassIsUsedWhenNoneIsGivenAndAGivenOneWins() {
        executeWithDefault("dev.prefork.examples.ExampleApp", "--workers", "1");
        assertThat(ran.appClass()).isEqualTo("dev.prefork.examples.ExampleApp");

        executeWithDefault("dev.prefork.examples.ExampleApp", "other.App");
        assertThat(ran.appClass()).isEqualTo("other.App");
    }

    @Test
    void theLogLevelIsPublishedBeforeTheMasterRuns() {
        env.put("PREFORK_LOG_LEVEL", "warn");

        execute("test.App");

        assertThat(System.getProperty(MasterCli.LOG_LEVEL_PROPERTY)).isEqualTo("warn");
    }

    @Test
    void theReloaderReadsTheFileAgain() throws IOException {
        Path file = dir.resolve("prefork.properties");
        Files.writeString(file, "workers=3\n");
        execute("--config", file.toString(), "test.App");
        Files.writeString(file, "workers=5\n");

        assertThat(reloader.get().workers()).isEqualTo(5);
    }

    @Test
    void prepareWorkerCdsPreparesWithTheResolvedConfigurationInsteadOfServing() {
        env.put("PREFORK_WORKER_JVM_OPTS", "-Xmx64m");

        assertThat(executeWithDefault("test.DefaultApp", "--prepare-worker-cds")).as("the preparer's code").isEqualTo(7);

        assertThat(runs).as("no master runs").isZero();
        assertThat(prepared.appClass()).isEqualTo("test.DefaultApp");
        assertThat(prepared.workerJvmOpts()).containsExactly("-Xmx64m");
        assertThat(prepared.workerSystemProperties()).containsEntry("example.flag", "on");
        assertThat(execute("test.App")).isZero();
        assertThat(runs).as("without the flag the master runs").isEqualTo(1);
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariableAndExits0() {
        assertThat(execute("--help")).isZero();

        String help = out.toString(StandardCharsets.UTF_8);
        for (ConfigOption option : ConfigOption.values()) {
            String shown = option.kind() == ConfigOption.Kind.SWITCH ? "--[no-]" + option.key() : option.flag();
            assertThat(help).contains(shown).contains(option.envVar());
        }
        assertThat(help).contains("APP_CLASS").contains("--prepare-worker-cds");
        assertThat(runs).isZero();
    }

    @Test
    void versionPrintsAndExits0() {
        assertThat(execute("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("prefork ");
        assertThat(runs).isZero();
    }

    @Test
    void parsedFlagsAreRawStringsByOption() {
        ParsedCommandLine parsed = new CommandLineOptions(null)
                .parse(new String[] {"--workers", "4", "--worker-jvm-opts", "-Xmx64m -XX:+UseSerialGC", "--access-log", "A"});

        assertThat(parsed.flags()).containsEntry(ConfigOption.WORKERS, List.of("4"))
                .containsEntry(ConfigOption.WORKER_JVM_OPTS, List.of("-Xmx64m -XX:+UseSerialGC"))
                .containsEntry(ConfigOption.ACCESS_LOG, List.of("true"))
                .doesNotContainKey(ConfigOption.BIND);
        assertThat(parsed.appClass()).isEqualTo("A");
    }
}
