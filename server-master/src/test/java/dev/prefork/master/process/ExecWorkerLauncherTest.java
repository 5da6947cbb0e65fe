package dev.prefork.master.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ExecWorkerLauncherTest {
    private static final Path AGENT = Path.of("/opt/prefork/prefork-agent.jar");
    private static final WorkerSettings SETTINGS = new WorkerSettings(3, "/tmp/x/control.sock", 2, null, 4242,
            250, 5000, 10_000, 4094, 100, 8190, 1024, 1000, false, "0", 128, 0, "", "", "", 0, "", "1.2", true, 100, 65_535, "/tmp/x/worker-3.seg", 0);
    private static final String AGENT_OPTION = "-javaagent:/opt/prefork/prefork-agent.jar=control=/tmp/x/control.sock,"
            + "worker=3,sockets=2,heartbeat-ms=250,max-requests=1000,segment=/tmp/x/worker-3.seg";

    private final ExecWorkerLauncher launcher = new ExecWorkerLauncher(() -> AGENT);
    private WorkerProcess started;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("prefork.worker");

    private static ServerConfig command(String... words) {
        return ServerConfig.builder().workerCommand(List.of(words)).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        workerLog.detachAppender(logged);
        if (started != null) {
            started.destroyForcibly();
            started.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aJavaCommandGetsTheAgentRightAfterJavaAndNothingElse() {
        ServerConfig config = command("/usr/lib/jvm/bin/java", "-Xmx512m", "-jar", "my-service.jar", "--port=1");

        assertThat(launcher.command(SETTINGS, config, AGENT)).containsExactly("/usr/lib/jvm/bin/java",
                ExecWorkerLauncher.NATIVE_ACCESS, AGENT_OPTION, "-Xmx512m", "-jar", "my-service.jar", "--port=1");
        Map<String, String> env = new HashMap<>(Map.of("JDK_JAVA_OPTIONS", "-Xss1m"));
        launcher.environment(env, SETTINGS, config, AGENT);
        assertThat(env).containsEntry("PREFORK_WORKER_ID", "3").containsEntry("JDK_JAVA_OPTIONS", "-Xss1m");
    }

    @Test
    void theWorkerFdAndAnOwnNativeAccessOptionAreRespected() {
        ServerConfig config = ServerConfig.builder().workerCommand(List.of("java", "--enable-native-access=M", "-jar", "s.jar"))
                .workerFd(5).build();

        assertThat(launcher.command(SETTINGS, config, AGENT)).containsExactly("java", AGENT_OPTION + ",fd=5",
                "--enable-native-access=M", "-jar", "s.jar");
    }

    @Test
    void aLauncherScriptGetsTheAgentThroughJdkJavaOptions() {
        ServerConfig config = command("bin/my-service", "--fast");

        assertThat(launcher.command(SETTINGS, config, AGENT)).containsExactly("bin/my-service", "--fast");
        Map<String, String> env = new HashMap<>(Map.of("JDK_JAVA_OPTIONS", "-Xss1m"));
        launcher.environment(env, SETTINGS, config, AGENT);
        assertThat(env).containsEntry("PREFORK_WORKER_ID", "3")
                .containsEntry("JDK_JAVA_OPTIONS", "-Xss1m " + ExecWorkerLauncher.NATIVE_ACCESS + " \"" + AGENT_OPTION + "\"");
        assertThat(ExecWorkerLauncher.startsWithJava(List.of("javac"))).isFalse();
        assertThat(ExecWorkerLauncher.startsWithJava(List.of("java"))).isTrue();
    }

    @Test
    void theJavaLauncherReadsTheAgentOptionFromJdkJavaOptions() throws Exception {
        // The real launcher, quoting included: it must see one -javaagent option (the jar does not exist, so the
        // JVM refuses to start and names it).
        Map<String, String> env = new HashMap<>();
        launcher.environment(env, SETTINGS, command("bin/run"), Path.of("/no such dir/prefork-agent.jar"));
        ProcessBuilder java = new ProcessBuilder(JvmWorkerLauncher.currentJavaBinary(), "-version").redirectErrorStream(true);
        java.environment().put("JDK_JAVA_OPTIONS", env.get("JDK_JAVA_OPTIONS"));
        Process p = java.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("/no such dir/prefork-agent.jar");
    }

    @Test
    void aRealCommandGetsItsSecretOnStdinItsIdInTheEnvironmentAndItsOutputLogged() throws Exception {
        logged.start();
        workerLog.addAppender(logged);
        ServerConfig config = command("sh", "-c", "read s; echo \"secret $s id $PREFORK_WORKER_ID opts $JDK_JAVA_OPTIONS\"; "
                + "echo on-stderr >&2; exec sleep 30");

        started = launcher.launch(SETTINGS, config);
        started.sendSecret("c0ffee");

        String prefix = "[worker 3 pid " + started.pid() + "] ";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(logged.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .contains(prefix + "secret c0ffee id 3 opts " + ExecWorkerLauncher.NATIVE_ACCESS + " \"" + AGENT_OPTION + "\"")
                .contains(prefix + "on-stderr"));
        assertThat(started.agentMayBeDescendant()).isTrue();
    }
}
