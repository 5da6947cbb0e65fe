package dev.prefork.master.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.config.ServerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkerSettingsFactoryTest {

    private static ServerConfig.Builder config() {
        return ServerConfig.builder().appClass("test.App");
    }

    @Test
    void heartbeatPeriodIsAQuarterOfTheTimeoutCappedAtOneSecond() {
        assertThat(WorkerSettingsFactory.heartbeatMillis(config().timeout(Duration.ZERO).build())).isEqualTo(1000);
        assertThat(WorkerSettingsFactory.heartbeatMillis(config().timeout(Duration.ofSeconds(30)).build())).isEqualTo(1000);
        assertThat(WorkerSettingsFactory.heartbeatMillis(config().timeout(Duration.ofSeconds(2)).build())).isEqualTo(500);
        assertThat(WorkerSettingsFactory.heartbeatMillis(config().timeout(Duration.ofMillis(20)).build())).isEqualTo(10);
    }
}
