package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.config.ServerConfig;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd socket activation the way systemd does it: a launcher binds the sockets, puts them at fds 3 and 4, sets
 * LISTEN_FDS/LISTEN_PID (its own pid) and exec()s java, so the master's pid is the one named.
 */
class SystemdActivationIT {
    /** argv: PORT SOCKET_PATH COMMAND...; fd 3 = TCP 127.0.0.1:PORT, fd 4 = Unix SOCKET_PATH. */
    private static final String LAUNCHER = String.join("\n",
            "import os, socket, sys",
            "port, path, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]",
            "tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "tcp.bind(('127.0.0.1', port)); tcp.listen(128)",
            "unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "unix.bind(path); unix.listen(128)",
            // As systemd passes them (unless NonBlocking=yes): blocking. The master must change that.
            "tcp.setblocking(True); unix.setblocking(True)",
            "os.dup2(tcp.fileno(), 3); os.dup2(unix.fileno(), 4)",
            // dup2 onto the same number keeps Python's close-on-exec; systemd's fds are inheritable.
            "os.set_inheritable(3, True); os.set_inheritable(4, True)",
            "os.environ.update(LISTEN_FDS='2', LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES='http:local')",
            "os.execv(cmd[0], cmd)");

    /** O_NONBLOCK in the octal {@code flags:} line of /proc/PID/fdinfo/FD. */
    private static final int O_NONBLOCK = 04000;

    @TempDir
    Path dir;

    @Test
    void servesTheActivatedSocketsInsteadOfBindingAndHidesTheVariablesFromWorkers() throws Exception {
        int port = MasterProcess.freePort();
        int notBound = MasterProcess.freePort();
        Path socket = dir.resolve("activated.sock");
        List<String> launcher = List.of("python3", "-c", LAUNCHER, Integer.toString(port), socket.toString());
        try (MasterProcess m = MasterProcess.startJarWrapped(launcher, "--workers", "2",
                "--bind", "127.0.0.1:" + notBound, "--reuse-port")) {
            m.awaitReady(2);
            assertThat(m.logText()).contains("systemd socket activation: serving 2 inherited socket(s)")
                    .contains("fd 3 'http' (/127.0.0.1:" + port + ")").contains("fd 4 'local' (unix:" + socket + ")");
            assertNonBlocking(m.pid());

            Curl.Result tcp = Curl.run("http://127.0.0.1:" + port + "/");
            assertThat(tcp.status()).isEqualTo(200);
            assertThat(tcp.body()).isEqualTo("Hello, World!");
            Curl.Result unix = Curl.run("--unix-socket", socket.toString(), "http://localhost/");
            assertThat(unix.status()).isEqualTo(200);
            // --bind was not bound.
            try (java.net.Socket s = new java.net.Socket()) {
                Assertions.assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", notBound), 2000))
                        .isInstanceOf(ConnectException.class);
            }
            for (long worker : m.workerPids()) {
                String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(worker), "environ")),
                        StandardCharsets.UTF_8);
                assertThat(environ).doesNotContain("LISTEN_FDS").doesNotContain("LISTEN_PID");
            }

            m.signal("TERM");
            assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
            // The socket unit owns the file: the master leaves it.
            assertThat(socket).exists();
        }
    }

    @Test
    void servesTlsAndH2OnTheActivatedSockets() throws Exception {
        int port = MasterProcess.freePort();
        Path socket = dir.resolve("activated.sock");
        TestCertificates ca = TestCertificates.newCa(dir);
        TestCertificates.Issued server = ca.issue("server", TestCertificates.KeyForm.EC_PKCS8, 2);
        List<String> launcher = List.of("python3", "-c", LAUNCHER, Integer.toString(port), socket.toString());
        try (MasterProcess m = MasterProcess.startJarWrapped(launcher, "--workers", "1",
                "--certfile", server.cert().toString(), "--keyfile", server.key().toString())) {
            m.awaitReady(1);
            Curl.Result tcp = Curl.run("--cacert", ca.caCert.toString(), "https://127.0.0.1:" + port + "/");
            assertThat(tcp.status()).isEqualTo(200);
            assertThat(tcp.httpVersion()).as("h2 by ALPN on systemd's TCP socket").isEqualTo("2");
            Curl.Result unix = Curl.run("--cacert", ca.caCert.toString(), "--unix-socket", socket.toString(),
                    "https://localhost/");
            assertThat(unix.status()).isEqualTo(200);
            assertThat(unix.httpVersion()).as("h2 by ALPN on systemd's Unix socket").isEqualTo("2");
        }
    }

    /**
     * The master makes systemd's sockets non-blocking itself, before any worker has them. (A worker's Netty sets
     * O_NONBLOCK on every fd it receives over SCM_RIGHTS too, so with workers up the flag would be there anyway: here
     * the workers' JVMs pause before main, -XX:+PauseAtStartup, and never receive the sockets.) The flag lives on the
     * open file description every process shares: a blocking listening socket would block an event loop in accept()
     * whenever another worker took the connection first.
     */
    @Test
    void theMasterMakesTheActivatedSocketsNonBlockingBeforeAnyWorkerHasThem() throws Exception {
        int port = MasterProcess.freePort();
        Path socket = dir.resolve("activated.sock");
        List<String> launcher = List.of("python3", "-c", LAUNCHER, Integer.toString(port), socket.toString());
        String pausedWorkers = ServerConfig.DEFAULT_WORKER_JVM_OPTS
                + " -XX:+UnlockDiagnosticVMOptions -XX:+PauseAtStartup -XX:PauseAtStartupFile=" + dir.resolve("paused");
        try (MasterProcess m = MasterProcess.startJarWrapped(launcher, "--workers", "1", "--worker-cds", "off",
                "--worker-jvm-opts", pausedWorkers)) {
            // The worker is spawned after the sockets are adopted; it stays paused before its main.
            await().atMost(Duration.ofSeconds(20)).until(() -> m.logText().contains(" spawned in slot "));
            assertThat(m.logText()).contains("systemd socket activation: serving 2 inherited socket(s)");
            assertThat(m.workerPids()).hasSize(1);
            assertThat(m.readyWorkers()).isZero();
            assertNonBlocking(m.pid());
        }
    }

    private static void assertNonBlocking(long pid) throws java.io.IOException {
        for (int fd : new int[] {3, 4}) {
            assertThat(fileStatusFlags(pid, fd) & O_NONBLOCK).as("O_NONBLOCK on the master's fd %d", fd)
                    .isEqualTo(O_NONBLOCK);
        }
    }

    /** The file status flags of {@code pid}'s {@code fd}, as /proc/PID/fdinfo/FD shows them (octal). */
    private static int fileStatusFlags(long pid, int fd) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd)))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags: line in /proc/" + pid + "/fdinfo/" + fd);
    }

    @Test
    void variablesNamingAnotherProcessAreIgnored() throws Exception {
        List<String> wrapper = List.of("env", "LISTEN_FDS=1", "LISTEN_PID=1");
        try (MasterProcess m = MasterProcess.startJarWrapped(wrapper, "--workers", "1")) {
            m.awaitReady(1);
            assertThat(Curl.run("http://127.0.0.1:" + m.port + "/").status()).isEqualTo(200);
            assertThat(m.logText()).contains("ignoring systemd socket activation: LISTEN_PID=1 is not this master");
        }
    }
}
