package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --threads, --thread-queue and --request-timeout through the resolver. */
class HandlerThreadsOptionTest {

    private static ServerConfig resolve(Map<ConfigOption, List<String>> flags, Map<String, String> env) {
        return new ConfigResolver(flags, "app.Main", ServerConfig::builder).resolve(env);
    }

    @Test
    void defaultsKeepHandlersOnTheEventLoopWithoutATimeout() {
        ServerConfig c = resolve(Map.of(), Map.of());
        assertThat(c.threads()).isEqualTo(HandlerThreads.NONE);
        assertThat(c.threads().enabled()).isFalse();
        assertThat(c.threadQueue()).isEqualTo(128);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ZERO);
    }

    @Test
    void threadCountQueueAndTimeoutFromFlagsAndEnv() {
        ServerConfig c = resolve(Map.of(ConfigOption.THREADS, List.of("32")),
                Map.of("PREFORK_THREAD_QUEUE", "10", "PREFORK_REQUEST_TIMEOUT", "2.5"));
        assertThat(c.threads()).isEqualTo(new HandlerThreads(32, false));
        assertThat(c.threads().toString()).isEqualTo("32");
        assertThat(c.threadQueue()).isEqualTo(10);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void badValuesNameTheOption() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.THREADS, List.of("many")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--threads").hasMessageContaining("virtual");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.THREADS, List.of("5000")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--threads");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.THREAD_QUEUE, List.of("0")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--thread-queue");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.REQUEST_TIMEOUT, List.of("-1")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--request-timeout");
    }

    @Test
    void virtualIsAConfigErrorBeforeJava21AndAcceptedAfter() {
        Map<ConfigOption, List<String>> flags = Map.of(ConfigOption.THREADS, List.of("virtual"));
        if (Runtime.version().feature() < 21) {
            assertThatThrownBy(() -> resolve(flags, Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--threads").hasMessageContaining("Java 21")
                    .hasMessageContaining("this is Java " + Runtime.version());
        } else {
            assertThat(resolve(flags, Map.of()).threads()).isEqualTo(HandlerThreads.VIRTUAL);
        }
    }
}
