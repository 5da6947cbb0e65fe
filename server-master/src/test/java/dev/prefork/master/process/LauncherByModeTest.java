package dev.prefork.master.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LauncherByModeTest {
    private static final WorkerSettings SETTINGS = new WorkerSettings(1, "/tmp/x/control.sock", 1, null, 4242,
            1000, 5000, 10_000, 4094, 100, 8190, 1024, 0, false, "0", 128, 0, "", "", "", 0, "", "1.2", true, 100, 65_535, "", 0);

    @Test
    void theConfigurationInForceChoosesTheLauncherEachMadeOnce() throws Exception {
        List<String> made = new ArrayList<>();
        List<String> launched = new ArrayList<>();
        LauncherByMode launcher = new LauncherByMode(() -> {
            made.add("native");
            return (s, c) -> { launched.add("native " + c.appClass()); return null; };
        }, () -> {
            made.add("exec");
            return (s, c) -> { launched.add("exec " + c.workerCommand()); return null; };
        });
        ServerConfig nativeConfig = ServerConfig.builder().appClass("test.App").build();
        ServerConfig execConfig = ServerConfig.builder().workerCommand(List.of("java", "-jar", "s.jar")).build();

        launcher.launch(SETTINGS, nativeConfig);
        launcher.launch(SETTINGS, execConfig);
        launcher.launch(SETTINGS, execConfig);

        assertThat(launched).containsExactly("native test.App", "exec [java, -jar, s.jar]", "exec [java, -jar, s.jar]");
        assertThat(made).containsExactly("native", "exec");
    }
}
