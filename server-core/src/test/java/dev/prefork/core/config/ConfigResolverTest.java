package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {

    private static ServerConfig resolve(Map<ConfigOption, List<String>> flags, Map<String, String> env) {
        return new ConfigResolver(flags, "app.Main", ServerConfig::builder).resolve(env);
    }

    @Test
    void defaultsFollowTheContract() {
        ServerConfig c = resolve(Map.of(), Map.of());
        assertThat(c.binds()).containsExactly(new BindAddress("127.0.0.1", 8000));
        assertThat(c.admin()).isEqualTo(new BindAddress("127.0.0.1", 9000));
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.gracefulTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxRequests()).isZero();
        assertThat(c.accessLog()).isFalse();
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.limitRequestLine()).isEqualTo(4094);
        assertThat(c.limitRequestFields()).isEqualTo(100);
        assertThat(c.limitRequestFieldSize()).isEqualTo(8190);
        assertThat(c.limitRequestBody()).isEqualTo(10L * 1024 * 1024);
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prefork.properties");
        Files.writeString(file, "workers=3\ntimeout=11\ngraceful-timeout=12\nbind=127.0.0.1:7001,127.0.0.1:7002\n");
        ServerConfig c = resolve(
                Map.of(ConfigOption.CONFIG, List.of(file.toString()), ConfigOption.WORKERS, List.of("5")),
                Map.of("PREFORK_WORKERS", "4", "PREFORK_TIMEOUT", "21"));
        assertThat(c.workers()).isEqualTo(5);
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(21));
        assertThat(c.gracefulTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(c.binds()).containsExactly(new BindAddress("127.0.0.1", 7001), new BindAddress("127.0.0.1", 7002));
        assertThat(c.keepAlive()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void configFileFromTheEnvironment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "max-requests=1000\naccess-log=true\n");
        ServerConfig c = resolve(Map.of(), Map.of("PREFORK_CONFIG", file.toString()));
        assertThat(c.maxRequests()).isEqualTo(1000);
        assertThat(c.accessLog()).isTrue();
    }

    @Test
    void repeatedBindFlagsAndIpv6() {
        ServerConfig c = resolve(Map.of(ConfigOption.BIND, List.of("127.0.0.1:8080", "[::]:8081")), Map.of());
        assertThat(c.binds()).containsExactly(new BindAddress("127.0.0.1", 8080), new BindAddress("::", 8081));
        assertThat(c.binds().get(1)).hasToString("[::]:8081");
    }

    @Test
    void adminOff() {
        assertThat(resolve(Map.of(ConfigOption.ADMIN, List.of("off")), Map.of()).admin()).isNull();
    }

    @Test
    void badValuesNameTheOptionTheValueAndTheRemedy() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.WORKERS, List.of("0")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--workers").hasMessageContaining("'0'")
                .hasMessageContaining("1 to 1024");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("PREFORK_WORKERS", "lots")))
                .hasMessageContaining("--workers").hasMessageContaining("'lots'").hasMessageContaining("whole number");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND, List.of("localhost")), Map.of()))
                .hasMessageContaining("--bind").hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND, List.of("1.2.3.4:99999")), Map.of()))
                .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.LOG_LEVEL, List.of("loud")), Map.of()))
                .hasMessageContaining("--log-level").hasMessageContaining("trace, debug, info, warn, error");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.TIMEOUT, List.of("-1")), Map.of()))
                .hasMessageContaining("--timeout");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.WORKER_JVM_OPTS, List.of("Xmx64m")), Map.of()))
                .hasMessageContaining("--worker-jvm-opts").hasMessageContaining("Xmx64m");
    }

    @Test
    void unknownKeyInTheFileIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "wokers=4\n");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CONFIG, List.of(file.toString())), Map.of()))
                .hasMessageContaining("--config").hasMessageContaining("wokers");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CONFIG, List.of("/nonexistent/p.properties")), Map.of()))
                .hasMessageContaining("/nonexistent/p.properties").hasMessageContaining("does not exist");
    }

    @Test
    void missingApplicationClassIsNamed() {
        assertThatThrownBy(() -> new ConfigResolver(Map.of(), null, ServerConfig::builder).resolve(Map.of()))
                .hasMessageContaining("APP_CLASS");
    }

    @Test
    void fractionalSeconds() {
        assertThat(resolve(Map.of(ConfigOption.GRACEFUL_TIMEOUT, List.of("0.5")), Map.of()).gracefulTimeout())
                .isEqualTo(Duration.ofMillis(500));
    }
}
