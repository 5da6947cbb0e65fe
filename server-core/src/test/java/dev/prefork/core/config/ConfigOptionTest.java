package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The option table is the one source of the defaults and checks that {@link ServerConfig} uses. */
class ConfigOptionTest {

    @Test
    void aBuilderStartsFromEveryOptionsDefault() {
        ServerConfig config = ServerConfig.builder().appClass("app.Main").build();

        for (ConfigOption option : ConfigOption.values()) {
            assertThat((Object) option.setting().read(config)).as(option.flag())
                    .isEqualTo(option.setting().defaultValue());
        }
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void theShownDefaultParsesToTheDefault() {
        for (ConfigOption option : ConfigOption.values()) {
            Object value = option.setting().defaultValue();
            if (value == null || option == ConfigOption.WORKERS || option == ConfigOption.CIPHERS
                    || option == ConfigOption.WORKER_COMMAND || option == ConfigOption.WORKER_FD) {
                continue; // absent, computed or empty (no --ciphers, no worker command): the text says what that means
            }
            assertThat((Object) option.setting().parse(option.flag(), List.of(option.defaultText()))).as(option.flag())
                    .isEqualTo(value);
        }
        assertThat(ConfigOption.WORKERS.defaultText()).isEqualTo("number of CPUs");
        assertThat(ConfigOption.CIPHERS.defaultText()).isEqualTo("the TLS provider's secure defaults");
        assertThat(ConfigOption.CIPHERS.setting().defaultValue()).isEqualTo(List.of());
        assertThat(ConfigOption.WORKER_COMMAND.defaultText()).isEqualTo("none");
        assertThat(ConfigOption.WORKER_COMMAND.setting().defaultValue()).isEqualTo(List.of());
        assertThat(ConfigOption.WORKER_FD.defaultText()).isEqualTo("none");
        assertThat(ConfigOption.WORKER_FD.setting().defaultValue()).isEqualTo(ServerConfig.NO_WORKER_FD);
        assertThat(ConfigOption.GRACEFUL_TIMEOUT.defaultText()).isEqualTo("30");
        assertThat(ConfigOption.ACCESS_LOG.defaultText()).isEqualTo("off");
    }

    @Test
    void typedSettersAreCheckedLikeParsedValues() {
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").bootTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class).hasMessage("--boot-timeout: 'PT0S' must be at least 1 second");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").limitRequestLine(10).build())
                .hasMessage("--limit-request-line: '10' is out of range; give 64..65536 bytes");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").certReqs(null).build())
                .hasMessage("--cert-reqs: is missing; give 0, 1 or 2");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").tlsMinVersion("TLSv1.3").build())
                .hasMessage("--tls-min-version: 'TLSv1.3' is not a TLS version; give 1.2 or 1.3");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").http2MaxConcurrentStreams(100_001).build())
                .hasMessage("--http2-max-concurrent-streams: '100001' is out of range; give 1..100000 streams");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").http2InitialWindowSize(-1).build())
                .hasMessageStartingWith("--http2-initial-window-size: '-1' is out of range");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").ciphers("TLS_NOT_A_SUITE").build())
                .hasMessageStartingWith("--ciphers: 'TLS_NOT_A_SUITE' is not a cipher suite");
    }

    @Test
    void tlsAndHttp2DefaultsAreShownAsWrittenOnTheCommandLine() {
        assertThat(ConfigOption.CERTFILE.defaultText()).isEqualTo("none");
        assertThat(ConfigOption.CERT_REQS.defaultText()).isEqualTo("0");
        assertThat(ConfigOption.TLS_MIN_VERSION.defaultText()).isEqualTo("1.2");
        assertThat(ConfigOption.HTTP2.defaultText()).isEqualTo("on");
        assertThat(ConfigOption.HTTP2.kind()).isEqualTo(ConfigOption.Kind.VALUE);
        assertThat(ConfigOption.HTTP2_INITIAL_WINDOW_SIZE.defaultText()).isEqualTo("65535");
        assertThat(ConfigOption.CIPHERS.setting().parse("--ciphers", List.of("A, B:C D")))
                .isEqualTo(List.of("A", "B", "C", "D"));
    }

    @Test
    void bindAddsToTheGivenAddressesAndReplacesTheDefault() {
        ServerConfig config = ServerConfig.builder().appClass("a").bind("127.0.0.1:1").bind("127.0.0.1:2").build();
        assertThat(config.binds()).containsExactly(new BindAddress("127.0.0.1", 1), new BindAddress("127.0.0.1", 2));
        assertThat(config.toBuilder().bind("127.0.0.1:3").build().binds()).hasSize(3);
        assertThat(config.toBuilder().binds(List.of()).build().binds()).containsExactly(new BindAddress("127.0.0.1", 8000));
    }
}
