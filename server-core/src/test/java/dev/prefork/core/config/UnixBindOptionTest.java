package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --bind unix:, --bind-unix-mode and --bind-unix-owner through the resolver and the builder's checks. */
class UnixBindOptionTest {

    private static ServerConfig resolve(Map<ConfigOption, List<String>> flags, Map<String, String> env) {
        return new ConfigResolver(flags, "app.Main", ServerConfig::builder).resolve(env);
    }

    @Test
    void defaultsAreMode0660AndTheMastersOwner() {
        ServerConfig c = resolve(Map.of(), Map.of());
        assertThat(c.bindUnixMode()).isEqualTo(0660);
        assertThat(c.bindUnixOwner()).isNull();
        assertThat(ConfigOption.BIND_UNIX_MODE.defaultText()).isEqualTo("0660");
    }

    @Test
    void unixBindModeAndOwnerFromFlagsAndEnv() {
        ServerConfig c = resolve(Map.of(ConfigOption.BIND, List.of("unix:/run/app/app.sock", "127.0.0.1:8001")),
                Map.of("PREFORK_BIND_UNIX_MODE", "0600", "PREFORK_BIND_UNIX_OWNER", " :www-data "));
        assertThat(c.binds()).containsExactly(new BindAddress("", 0, "/run/app/app.sock"),
                new BindAddress("127.0.0.1", 8001));
        assertThat(c.bindUnixMode()).isEqualTo(0600);
        assertThat(c.bindUnixOwner()).isEqualTo(":www-data");
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void badValuesNameTheOptionTheValueAndTheRemedy() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND_UNIX_MODE, List.of("rw")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bind-unix-mode").hasMessageContaining("'rw'")
                .hasMessageContaining("0660");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND_UNIX_MODE, List.of("1777")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bind-unix-mode").hasMessageContaining("0777");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND_UNIX_OWNER, List.of("a:b:c")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bind-unix-owner").hasMessageContaining("'a:b:c'");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.ADMIN, List.of("unix:/tmp/admin.sock")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--admin").hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.BIND, List.of("unix:relative.sock")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bind").hasMessageContaining("absolute");
    }

    @Test
    void theBuildersTypedSettersAreCheckedToo() {
        ServerConfig.Builder b = ServerConfig.builder().appClass("app.Main").bindUnixMode(01000);
        assertThatThrownBy(b::build).isInstanceOf(ConfigException.class).hasMessageContaining("--bind-unix-mode");
        assertThatThrownBy(ServerConfig.builder().appClass("app.Main").bindUnixOwner(":")::build)
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bind-unix-owner");
    }
}
