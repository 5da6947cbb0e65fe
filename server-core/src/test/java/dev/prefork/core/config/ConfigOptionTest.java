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
            if (value == null || option == ConfigOption.WORKERS) {
                continue; // absent or computed: the text says what that means
            }
            assertThat((Object) option.setting().parse(option.flag(), List.of(option.defaultText()))).as(option.flag())
                    .isEqualTo(value);
        }
        assertThat(ConfigOption.WORKERS.defaultText()).isEqualTo("number of CPUs");
        assertThat(ConfigOption.GRACEFUL_TIMEOUT.defaultText()).isEqualTo("30");
        assertThat(ConfigOption.ACCESS_LOG.defaultText()).isEqualTo("off");
    }

    @Test
    void typedSettersAreCheckedLikeParsedValues() {
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").bootTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class).hasMessage("--boot-timeout: 'PT0S' must be at least 1 second");
        assertThatThrownBy(() -> ServerConfig.builder().appClass("a").limitRequestLine(10).build())
                .hasMessage("--limit-request-line: '10' is out of range; give 64..65536 bytes");
    }

    @Test
    void bindAddsToTheGivenAddressesAndReplacesTheDefault() {
        ServerConfig config = ServerConfig.builder().appClass("a").bind("127.0.0.1:1").bind("127.0.0.1:2").build();
        assertThat(config.binds()).containsExactly(new BindAddress("127.0.0.1", 1), new BindAddress("127.0.0.1", 2));
        assertThat(config.toBuilder().bind("127.0.0.1:3").build().binds()).hasSize(3);
        assertThat(config.toBuilder().binds(List.of()).build().binds()).containsExactly(new BindAddress("127.0.0.1", 8000));
    }
}
