package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerCommandConfigTest {

    private static ServerConfig resolve(String appClass, Map<ConfigOption, List<String>> flags, Map<String, String> env) {
        return new ConfigResolver(flags, appClass, ServerConfig::builder).resolve(env);
    }

    @Test
    void commandFromTheFlagTheEnvOrTheFileIsSplitIntoWords() {
        ServerConfig c = resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java '-Dx=a b' -jar s.jar")), Map.of());
        assertThat(c.workerCommand()).containsExactly("java", "-Dx=a b", "-jar", "s.jar");
        assertThat(c.isExec()).isTrue();
        assertThat(c.appClass()).isNull();
        assertThat(c.workerFd()).isZero();
        ServerConfig fromEnv = resolve(null, Map.of(), Map.of("PREFORK_WORKER_COMMAND", "bin/run --fast", "PREFORK_WORKER_FD", "5"));
        assertThat(fromEnv.workerCommand()).containsExactly("bin/run", "--fast");
        assertThat(fromEnv.workerFd()).isEqualTo(5);
    }

    @Test
    void aWorkerCommandReplacesADefaultApplicationButNotAGivenOne() {
        ServerConfig c = new ConfigResolver(Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar")), null,
                () -> ServerConfig.builder().appClass("default.App")).resolve(Map.of());
        assertThat(c.appClass()).isNull();
        assertThatThrownBy(() -> resolve("given.App", Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("APP_CLASS: 'given.App' and a worker command");
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheOption() {
        assertThatThrownBy(() -> resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("  ")), Map.of()))
                .hasMessageStartingWith("--worker-command").hasMessageContaining("is empty");
        assertThatThrownBy(() -> resolve(null, Map.of(), Map.of()))
                .hasMessageStartingWith("APP_CLASS").hasMessageContaining("worker command");
        for (String fd : List.of("2", "0x", "1024", "-1")) {
            assertThatThrownBy(() -> resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar"),
                    ConfigOption.WORKER_FD, List.of(fd)), Map.of()))
                    .as(fd).isInstanceOf(ConfigException.class).hasMessageStartingWith("--worker-fd: '" + fd + "'");
        }
        assertThatThrownBy(() -> resolve("app.Main", Map.of(ConfigOption.WORKER_FD, List.of("5")), Map.of()))
                .hasMessageStartingWith("--worker-fd: '5'").hasMessageContaining("only to exec workers");
        assertThat(resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar"),
                ConfigOption.WORKER_FD, List.of("1023")), Map.of()).workerFd()).isEqualTo(1023);
    }

    @Test
    void tlsBelongsToTheExecWorkersOwnServer() {
        assertThatThrownBy(() -> resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar"),
                ConfigOption.CERTFILE, List.of("/etc/ssl/cert.pem")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--certfile: '/etc/ssl/cert.pem'").hasMessageContaining("exec worker");
    }

    @Test
    void standbyWorkersNeedAPreforkApplication() {
        // The agent of an exec worker speaks neither StandingBy nor Activate: a "standby" would serve at once.
        assertThatThrownBy(() -> resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar"),
                ConfigOption.STANDBY, List.of("1")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--standby: '1'").hasMessageContaining("--worker-command")
                .hasMessageContaining("drop --standby");
        assertThat(resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java -jar s.jar"),
                ConfigOption.STANDBY, List.of("0")), Map.of()).standby()).isZero();
        assertThat(resolve("app.Main", Map.of(ConfigOption.STANDBY, List.of("2")), Map.of()).standby()).isEqualTo(2);
    }

    @Test
    void theWorkerCommandRoundTripsThroughToBuilder() {
        ServerConfig c = resolve(null, Map.of(ConfigOption.WORKER_COMMAND, List.of("java '-Dx=a b' -jar s.jar"),
                ConfigOption.WORKER_FD, List.of("100")), Map.of());
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }
}
