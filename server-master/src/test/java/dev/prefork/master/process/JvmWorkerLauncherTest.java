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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JvmWorkerLauncherTest {
    private static final ServerConfig CONFIG = ServerConfig.builder()
            .appClass("test.App")
            .workerJvmOpts("-Xmx32m -XX:+UseSerialGC")
            .logLevel("debug")
            .workerSystemProperty("example.flag", "on")
            .build();
    private static final WorkerSettings SETTINGS = new WorkerSettings(3, "/tmp/x/control.sock", 1, "test.App", 4242,
            1000, 5000, 10_000, 4094, 100, 8190, 1024, 0, false, "0", 128, 0, "", "", "", 0, "", "1.2", true, 100,
            65_535, "", 0);

    private WorkerProcess started;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("prefork.worker");

    @AfterEach
    void tearDown() throws Exception {
        workerLog.detachAppender(logged);
        if (started != null) {
            started.destroyForcibly();
            started.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCommandLineIsJvmOptionsLogLevelPropertiesClassPathMainAndSettings() {
        JvmWorkerLauncher launcher = new JvmWorkerLauncher("/opt/java/bin/java", "/app/a.jar:/app/b.jar", 17,
                JvmWorkerLauncher.WORKER_MAIN);

        List<String> cmd = launcher.command(SETTINGS, CONFIG);

        assertThat(cmd).startsWith("/opt/java/bin/java", "-Xmx32m", "-XX:+UseSerialGC", "-Dprefork.logLevel=debug",
                "-Dprefork.role=worker", "-Dexample.flag=on", "-cp", "/app/a.jar:/app/b.jar", "dev.prefork.worker.WorkerMain");
        assertThat(cmd.subList(9, cmd.size())).isEqualTo(SETTINGS.toArgs());
    }

    @Test
    void java22AndLaterGrantNativeAccessUnlessTheOptionsDo() {
        JvmWorkerLauncher on25 = new JvmWorkerLauncher("java", "cp", 25, JvmWorkerLauncher.WORKER_MAIN);

        assertThat(on25.command(SETTINGS, CONFIG)).contains(JvmWorkerLauncher.NATIVE_ACCESS);
        ServerConfig own = CONFIG.toBuilder().workerJvmOpts("--enable-native-access=ALL-UNNAMED -Xmx32m").build();
        assertThat(on25.command(SETTINGS, own)).containsOnlyOnce(JvmWorkerLauncher.NATIVE_ACCESS);
        assertThat(new JvmWorkerLauncher("java", "cp", 17, JvmWorkerLauncher.WORKER_MAIN).command(SETTINGS, CONFIG))
                .doesNotContain(JvmWorkerLauncher.NATIVE_ACCESS);
    }

    @Test
    void java25AndLaterTrimTheNativeHeapUnlessTheOptionsSetTheInterval() {
        JvmWorkerLauncher on25 = new JvmWorkerLauncher("java", "cp", 25, JvmWorkerLauncher.WORKER_MAIN);

        assertThat(on25.command(SETTINGS, CONFIG)).contains(JvmWorkerLauncher.TRIM_NATIVE_HEAP);
        ServerConfig own = CONFIG.toBuilder().workerJvmOpts("-XX:TrimNativeHeapInterval=0 -Xmx32m").build();
        assertThat(on25.command(SETTINGS, own)).doesNotContain(JvmWorkerLauncher.TRIM_NATIVE_HEAP)
                .contains("-XX:TrimNativeHeapInterval=0");
        assertThat(new JvmWorkerLauncher("java", "cp", 21, JvmWorkerLauncher.WORKER_MAIN).command(SETTINGS, CONFIG))
                .doesNotContain(JvmWorkerLauncher.TRIM_NATIVE_HEAP);
    }

    @Test
    void java25AllowsNettyUnsafeUnlessTheOptionsChooseAndNoOtherJavaGetsTheOption() {
        JvmWorkerLauncher on25 = new JvmWorkerLauncher("java", "cp", 25, JvmWorkerLauncher.WORKER_MAIN);

        assertThat(on25.command(SETTINGS, CONFIG)).contains(JvmWorkerLauncher.UNSAFE_MEMORY_ACCESS);
        for (String own : List.of("--sun-misc-unsafe-memory-access=warn", "-Dsun.misc.unsafe.memory.access=deny",
                "-Dio.netty.noUnsafe=true")) {
            assertThat(on25.command(SETTINGS, CONFIG.toBuilder().workerJvmOpts(own + " -Xmx32m").build()))
                    .as(own).doesNotContain(JvmWorkerLauncher.UNSAFE_MEMORY_ACCESS).contains(own);
        }
        for (int feature : new int[] {17, 24, 26}) {
            assertThat(new JvmWorkerLauncher("java", "cp", feature, JvmWorkerLauncher.WORKER_MAIN)
                    .command(SETTINGS, CONFIG)).as("Java " + feature).doesNotContain(JvmWorkerLauncher.UNSAFE_MEMORY_ACCESS);
        }
    }

    @Test
    void aRealWorkerGetsItsSecretOnStdinAndItsOutputIsLoggedWithItsIdAndPid() throws Exception {
        logged.start();
        workerLog.addAppender(logged);
        String testClasses = Path.of(SecretEchoMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        JvmWorkerLauncher launcher = new JvmWorkerLauncher(JvmWorkerLauncher.currentJavaBinary(), testClasses,
                Runtime.version().feature(), SecretEchoMain.class.getName());

        started = launcher.launch(SETTINGS, CONFIG);
        started.sendSecret("c0ffee");

        String prefix = "[worker 3 pid " + started.pid() + "] ";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(messages())
                .contains(prefix + "secret c0ffee args " + SETTINGS.toArgs().size() + " level debug flag on")
                .contains(prefix + "a line on stderr"));
        assertThat(started.isAlive()).as("stdin stays open, so the worker stays").isTrue();

        started.destroyForcibly();
        assertThat(started.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(started.isAlive()).isFalse();
    }

    private List<String> messages() {
        // The appender appends under its own lock, from the pump threads.
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
