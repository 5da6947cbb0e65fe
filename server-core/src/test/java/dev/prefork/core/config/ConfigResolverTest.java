package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.tls.ClientCertificates;
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

    @Test
    void tlsAndHttp2DefaultsFollowTheTable() {
        ServerConfig c = resolve(Map.of(), Map.of());
        assertThat(c.tls()).isFalse();
        assertThat(c.certFile()).isNull();
        assertThat(c.keyFile()).isNull();
        assertThat(c.caCerts()).isNull();
        assertThat(c.certReqs()).isEqualTo(ClientCertificates.NONE);
        assertThat(c.ciphers()).isEmpty();
        assertThat(c.tlsMinVersion()).isEqualTo("1.2");
        assertThat(c.http2()).isTrue();
        assertThat(c.http2MaxConcurrentStreams()).isEqualTo(100);
        assertThat(c.http2InitialWindowSize()).isEqualTo(65_535);
    }

    @Test
    void tlsOptionsComeFromFlagsEnvAndFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "certfile=" + tlsFile("rsa.pem") + "\nkeyfile=" + tlsFile("rsa-pkcs1.key")
                + "\nhttp2-max-concurrent-streams=7\nciphers=TLS_AES_128_GCM_SHA256\n");
        ServerConfig c = resolve(
                Map.of(ConfigOption.CONFIG, List.of(file.toString()), ConfigOption.CA_CERTS, List.of(tlsFile("ec.pem").toString()),
                        ConfigOption.CERT_REQS, List.of("2"), ConfigOption.HTTP2, List.of("off")),
                Map.of("PREFORK_TLS_MIN_VERSION", "1.3", "PREFORK_HTTP2_INITIAL_WINDOW_SIZE", "1048576",
                        "PREFORK_CIPHERS", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"));
        assertThat(c.tls()).isTrue();
        assertThat(c.certFile()).isEqualTo(tlsFile("rsa.pem"));
        assertThat(c.keyFile()).isEqualTo(tlsFile("rsa-pkcs1.key"));
        assertThat(c.caCerts()).isEqualTo(tlsFile("ec.pem"));
        assertThat(c.certReqs()).isEqualTo(ClientCertificates.REQUIRED);
        assertThat(c.tlsMinVersion()).isEqualTo("1.3");
        assertThat(c.ciphers()).as("env beats file; colons split").containsExactly("TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256");
        assertThat(c.http2()).isFalse();
        assertThat(c.http2MaxConcurrentStreams()).isEqualTo(7);
        assertThat(c.http2InitialWindowSize()).isEqualTo(1_048_576);
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void badTlsAndHttp2ValuesNameTheOptionTheValueAndTheRemedy() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERT_REQS, List.of("3")), Map.of()))
                .hasMessage("--cert-reqs: '3' is not 0, 1 or 2 (Gunicorn's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED)");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.TLS_MIN_VERSION, List.of("1.1")), Map.of()))
                .hasMessage("--tls-min-version: '1.1' is not a TLS version; give 1.2 or 1.3");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.HTTP2, List.of("maybe")), Map.of()))
                .hasMessage("--http2: 'maybe' is not on or off; give --http2 on or --http2 off");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.HTTP2_MAX_CONCURRENT_STREAMS, List.of("0")), Map.of()))
                .hasMessage("--http2-max-concurrent-streams: '0' is out of range; give 1..100000 streams");
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("PREFORK_HTTP2_INITIAL_WINDOW_SIZE", "0")))
                .hasMessage("--http2-initial-window-size: '0' is out of range; give 1..2147483647 bytes (RFC 9113)");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.HTTP2_INITIAL_WINDOW_SIZE, List.of("2147483648")), Map.of()))
                .hasMessageContaining("--http2-initial-window-size: '2147483648' is not a whole number");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CIPHERS, List.of("RC4-MD5")), Map.of()))
                .hasMessageStartingWith("--ciphers: 'RC4-MD5' is not a cipher suite this JVM knows; give IANA names");
    }

    @Test
    void tlsOptionsThatNeedOthersSaySo() {
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.KEYFILE, List.of(tlsFile("rsa-pkcs8.key").toString())), Map.of()))
                .hasMessage("--keyfile: is given without --certfile; give --certfile to serve TLS");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERT_REQS, List.of("1")), Map.of()))
                .hasMessage("--cert-reqs: is given without --certfile; give --certfile to serve TLS");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERTFILE, List.of(tlsFile("rsa.pem").toString()),
                ConfigOption.KEYFILE, List.of(tlsFile("rsa-pkcs8.key").toString()), ConfigOption.CERT_REQS, List.of("1")),
                Map.of()))
                .hasMessageStartingWith("--cert-reqs: '1' needs --ca-certs");
    }

    @Test
    void aBadTlsFileIsNamedWithTheOptionThatGaveIt() {
        Path other = tlsFile("other-rsa-pkcs8.key");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERTFILE, List.of(tlsFile("rsa.pem").toString()),
                ConfigOption.KEYFILE, List.of(other.toString())), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.option()).isEqualTo("--keyfile");
                    assertThat(e.value()).isEqualTo(other.toString());
                    assertThat(e.getMessage()).contains("does not match the certificate");
                });
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERTFILE, List.of(tlsFile("garbage.txt").toString()),
                ConfigOption.KEYFILE, List.of(tlsFile("rsa-pkcs8.key").toString())), Map.of()))
                .hasMessageStartingWith("--certfile: '" + tlsFile("garbage.txt") + "' is not a PEM file");
        assertThatThrownBy(() -> resolve(Map.of(ConfigOption.CERTFILE, List.of(tlsFile("rsa-combined.pem").toString()),
                ConfigOption.CA_CERTS, List.of(tlsFile("garbage.txt").toString())), Map.of()))
                .hasMessageStartingWith("--ca-certs: '" + tlsFile("garbage.txt") + "' is not a PEM file");
    }

    /** The PEM files in src/test/resources/tls (see PemFilesTest). */
    private static Path tlsFile(String name) {
        try {
            return Path.of(ConfigResolverTest.class.getResource("/tls/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
