package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerCdsOptionTest {
    private static ServerConfig resolve(Map<ConfigOption, List<String>> flags, Map<String, String> env) {
        return new ConfigResolver(flags, "app.Main", ServerConfig::builder).resolve(env);
    }

    @Test
    void autoByDefaultOffByFlagOrEnvironment() {
        assertThat(resolve(Map.of(), Map.of()).workerCds()).isTrue();
        assertThat(ConfigOption.WORKER_CDS.defaultText()).isEqualTo("auto");
        assertThat(resolve(Map.of(ConfigOption.WORKER_CDS, List.of("off")), Map.of()).workerCds()).isFalse();
        assertThat(resolve(Map.of(), Map.of("PREFORK_WORKER_CDS", "OFF")).workerCds()).isFalse();
        assertThat(resolve(Map.of(ConfigOption.WORKER_CDS, List.of("auto")), Map.of("PREFORK_WORKER_CDS", "off"))
                .workerCds()).as("flag beats env").isTrue();
        assertThat(resolve(Map.of(), Map.of()).toBuilder().workerCds(false).build().toBuilder().build().workerCds())
                .isFalse();
    }

    @Test
    void aBadModeNamesTheOptionAndTheChoices() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.WORKER_CDS, List.of("sometimes")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--worker-cds").hasMessageContaining("sometimes").hasMessageContaining("auto or off");
    }
}
