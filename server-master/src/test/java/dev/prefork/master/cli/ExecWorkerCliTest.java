package dev.prefork.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.process.AgentJar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec-worker command line: {@code -- CMD ARGS...}, {@code --worker-command}, {@code --worker-fd}, checks. */
class ExecWorkerCliTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ServerConfig ran;
    private Supplier<ServerConfig> reloader;

    @BeforeEach
    void agentJar() throws IOException {
        Path jar = Files.writeString(dir.resolve("prefork-agent.jar"), "stand-in");
        System.setProperty(AgentJar.PROPERTY, jar.toString());
    }

    @AfterEach
    void noAgentJar() {
        System.clearProperty(AgentJar.PROPERTY);
    }

    private int execute(String defaultAppClass, String... args) {
        MasterCli cli = new MasterCli(() -> Map.copyOf(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (config, reload) -> {
                    ran = config;
                    reloader = reload;
                    return 0;
                });
        return cli.execute(args, defaultAppClass, b -> { });
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everythingAfterDoubleDashIsTheWorkerCommandWordForWord() {
        assertThat(execute(null, "--workers", "2", "--", "java", "-Dgreeting=it's a 'test'", "-jar", "s.jar", "--workers", "9"))
                .isZero();

        assertThat(ran.workerCommand()).containsExactly("java", "-Dgreeting=it's a 'test'", "-jar", "s.jar", "--workers", "9");
        assertThat(ran.workers()).isEqualTo(2);
        assertThat(ran.appClass()).isNull();
        assertThat(reloader.get().workerCommand()).as("HUP resolves the same command").isEqualTo(ran.workerCommand());
    }

    @Test
    void theCommandCanComeFromTheFlagOrTheEnvironmentAndReplacesTheExampleJarsDefaultApp() {
        assertThat(execute("dev.prefork.examples.ExampleApp", "--worker-command", "java -jar 'my service.jar'",
                "--worker-fd", "5")).isZero();
        assertThat(ran.workerCommand()).containsExactly("java", "-jar", "my service.jar");
        assertThat(ran.workerFd()).isEqualTo(5);

        env.put("PREFORK_WORKER_COMMAND", "bin/run-service");
        assertThat(execute(null)).isZero();
        assertThat(ran.workerCommand()).containsExactly("bin/run-service");
    }

    @Test
    void badExecUsageExits2WithOneLine() {
        assertUsageError(new String[] {"--workers", "2", "--"}, "after '--' is empty");
        assertUsageError(new String[] {"test.App", "--", "java", "-jar", "s.jar"}, "APP_CLASS: 'test.App' and a worker command");
        assertUsageError(new String[] {"--worker-command", "java -jar a.jar", "--", "java", "-jar", "b.jar"}, "given twice");
        assertUsageError(new String[] {"--worker-fd", "2", "--", "java", "-jar", "s.jar"}, "--worker-fd: '2' is out of range");
        assertUsageError(new String[] {"--worker-fd", "1024", "--", "java", "-jar", "s.jar"}, "--worker-fd: '1024' is out of range");
        assertUsageError(new String[] {"--worker-command", "java 'oops"}, "unclosed single quote");
        assertUsageError(new String[] {"--control-dir", dir.resolve("a,b").toString(), "--", "java", "-jar", "s.jar"},
                "--control-dir").toString();
        assertUsageError(new String[] {"--standby", "1", "--", "java", "-jar", "s.jar"},
                "--standby: '1' applies only to Prefork applications, not to exec workers (--worker-command or -- CMD)");
        env.put("PREFORK_STANDBY", "2");
        assertUsageError(new String[] {"--worker-command", "java -jar s.jar"}, "--standby: '2'");
        env.remove("PREFORK_STANDBY");
        System.setProperty(AgentJar.PROPERTY, dir.resolve("missing.jar").toString());
        assertUsageError(new String[] {"--", "java", "-jar", "s.jar"}, "-Dprefork.agentJar");
    }

    private String assertUsageError(String[] args, String expected) {
        err.reset();
        ran = null;
        assertThat(execute(null, args)).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
        assertThat(ran).as("nothing started").isNull();
        assertThat(errText()).startsWith("prefork: ").contains(expected);
        assertThat(errText().lines()).hasSize(1);
        return errText();
    }

    @Test
    void helpShowsTheExecForm() {
        assertThat(execute(null, "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("-- CMD ARGS...").contains("--worker-command")
                .contains("--worker-fd").contains("PREFORK_WORKER_COMMAND");
    }
}
