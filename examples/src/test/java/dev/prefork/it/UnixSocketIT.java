package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --bind unix:/path} with curl --unix-socket: mode, stale files, a live owner, removal at exit. */
class UnixSocketIT {
    @TempDir
    Path dir;

    private static Curl.Result get(Path socket, String path) throws IOException, InterruptedException {
        return Curl.run("-i", "--unix-socket", socket.toString(), "http://localhost" + path);
    }

    @Test
    void servesUnixAndTcpSideBySideWithTheModeAndRemovesTheFileAtExit() throws Exception {
        Path socket = dir.resolve("app.sock");
        int port = MasterProcess.freePort();
        try (MasterProcess m = MasterProcess.start("--workers", "2", "--bind", "unix:" + socket,
                "--bind", "127.0.0.1:" + port, "--bind-unix-mode", "0600")) {
            m.awaitReady(2);
            Curl.Result hello = get(socket, "/");
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.body()).endsWith("Hello, World!");
            Curl.Result h2c = Curl.run("--http2-prior-knowledge", "--unix-socket", socket.toString(), "http://localhost/");
            assertThat(h2c.status()).isEqualTo(200);
            assertThat(h2c.httpVersion()).as("h2c by prior knowledge over the Unix socket").isEqualTo("2");
            assertThat(Curl.run("http://127.0.0.1:" + port + "/").status()).isEqualTo(200);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rw-------");
            // Both workers accept from the one shared Unix socket.
            Set<String> pids = new HashSet<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Curl.Result r = Curl.run("-i", "--unix-socket", socket.toString(), "http://localhost/block?ms=0",
                        "--next", "-i", "--unix-socket", socket.toString(), "http://localhost/block?ms=0");
                java.util.regex.Matcher pid = java.util.regex.Pattern.compile("X-Worker-Pid: (\\d+)").matcher(r.raw());
                while (pid.find()) {
                    pids.add(pid.group(1));
                }
                return pids.size() == 2;
            });
            assertThat(m.logText()).contains("listening on unix:" + socket);

            m.signal("TERM");
            assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
            assertThat(socket).doesNotExist();
            assertThat(m.logText()).contains("removed socket file " + socket);
        }
    }

    @Test
    void servesTlsWithH2ByAlpnOnAUnixSocket() throws Exception {
        Path socket = dir.resolve("tls.sock");
        TestCertificates ca = TestCertificates.newCa(dir);
        TestCertificates.Issued server = ca.issue("server", TestCertificates.KeyForm.EC_PKCS8, 2);
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--bind", "unix:" + socket,
                "--certfile", server.cert().toString(), "--keyfile", server.key().toString())) {
            m.awaitReady(1);
            String[] tls = {"--unix-socket", socket.toString(), "--cacert", ca.caCert.toString()};
            Curl.Result h2 = Curl.run(concat(tls, "https://localhost/"));
            assertThat(h2.status()).isEqualTo(200);
            assertThat(h2.httpVersion()).as("h2 by ALPN over TLS over the Unix socket").isEqualTo("2");
            Curl.Result http1 = Curl.run(concat(tls, "--http1.1", "https://localhost/"));
            assertThat(http1.status()).isEqualTo(200);
            assertThat(http1.httpVersion()).isEqualTo("1.1");
            assertThat(Curl.run("--unix-socket", socket.toString(), "http://localhost/").status())
                    .as("cleartext on a TLS socket").isNotEqualTo(200);
        }
    }

    static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void aStaleSocketFileIsReplacedWithReusePortToo() throws Exception {
        Path socket = dir.resolve("stale.sock");
        // A socket file nobody listens on: what a SIGKILLed server leaves behind.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        try (MasterProcess m = MasterProcess.start("--workers", "2", "--reuse-port", "--bind", "unix:" + socket)) {
            m.awaitReady(2);
            assertThat(get(socket, "/").status()).isEqualTo(200);
            assertThat(m.logText()).contains("removed stale socket file " + socket);
        }
    }

    @Test
    void aSocketAnotherLiveServerOwnsIsLeftAloneAndTheMasterExits4() throws Exception {
        Path socket = dir.resolve("live.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            try (MasterProcess m = MasterProcess.start("--workers", "1", "--bind", "unix:" + socket)) {
                assertThat(m.waitForExit(Duration.ofSeconds(30))).isEqualTo(4);
                assertThat(m.logText()).contains("--bind unix:" + socket).contains("another live server listens");
            }
            assertThat(socket).exists();
            // The owner still gets its connections.
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel accepted = live.accept()) {
                assertThat(accepted).isNotNull();
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void aPathThatIsNotASocketIsRefused() throws Exception {
        Path file = dir.resolve("data.txt");
        Files.writeString(file, "precious");
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--bind", "unix:" + file)) {
            assertThat(m.waitForExit(Duration.ofSeconds(30))).isEqualTo(4);
            assertThat(m.logText()).contains("exists and is not a socket");
        }
        assertThat(Files.readString(file)).isEqualTo("precious");
    }
}
