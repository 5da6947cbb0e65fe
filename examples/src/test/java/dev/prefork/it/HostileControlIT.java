package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.it.apps.ControlProbe;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients of the real master's control socket: none gets a file descriptor, each refusal is logged and
 * counted in {@code prefork_control_rejections_total{reason}}, and the master keeps serving and admitting workers.
 */
class HostileControlIT {
    private static final String GUESSED_SECRET = "0123456789abcdef0123456789abcdef";

    private MasterProcess master;

    @AfterEach
    void killEverything() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void hostileControlClientsGetNoFdAreCountedAndTheMasterKeepsServing(@TempDir Path controlParent) throws Exception {
        master = MasterProcess.startMainWithTestClasses("--workers", "2", "--control-dir", controlParent.toString(),
                "dev.prefork.it.apps.ImpersonatorApp").awaitReady(2);
        Path socket = MasterProcess.controlSocketUnder(controlParent);
        // Let other users reach the master's own 0700 directory, so that is what stops them.
        Files.setPosixFilePermissions(controlParent, PosixFilePermissions.fromString("rwx--x--x"));

        // Connects and never speaks: refused at the handshake deadline (5 s), meanwhile the rest goes on.
        CompletableFuture<String> silent = CompletableFuture.supplyAsync(() -> ControlProbe.send(socket, new byte[0]));

        // A process the master did not spawn (this test JVM), claiming an id no worker has.
        assertThat(ControlProbe.hello(socket, 999, GUESSED_SECRET)).isEqualTo(ControlProbe.REFUSED);

        // A spawned worker's own pid with a wrong secret (bad_secret), then claiming the other worker's id (wrong_pid).
        // One keep-alive connection, so that one worker serves all three requests.
        RawHttp.Response self;
        try (KeepAliveConnection c = new KeepAliveConnection(master.port, 15_000)) {
            self = c.get("/");
            int selfId = Integer.parseInt(self.body());
            int otherId = selfId == 1 ? 2 : 1; // the first two workers, neither replaced yet
            assertThat(impersonate(c, socket, "self", "wrong-secret")).isEqualTo(ControlProbe.REFUSED);
            assertThat(impersonate(c, socket, Integer.toString(otherId), "wrong-secret")).isEqualTo(ControlProbe.REFUSED);
        }
        int selfId = Integer.parseInt(self.body());

        // Garbage: an HTTP request (a length prefix far beyond the limit), then a well-framed unknown type.
        assertThat(ControlProbe.send(socket, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .startsWith(ControlProbe.REFUSED);
        assertThat(ControlProbe.send(socket, new byte[] {0, 3, 99, 1, 2})).startsWith(ControlProbe.REFUSED);

        // The credentials of a dead worker: once it is gone its id is no longer admissible.
        ProcessHandle.of(self.workerPid()).orElseThrow().destroyForcibly();
        await("replacement ready").atMost(Duration.ofSeconds(30)).until(() ->
                ProcessHandle.of(self.workerPid()).isEmpty() && master.readyWorkers() == 2);
        assertThat(ControlProbe.hello(socket, selfId, GUESSED_SECRET)).isEqualTo(ControlProbe.REFUSED);

        // Another uid: the 0700 control directory stops it in the kernel, before the master sees anything.
        assertThat(probeAsNobody(socket)).contains("connect failed").contains("Permission denied");
        // Defence in depth: with the directory and socket opened up (as root can), the master still refuses it.
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            assertThat(probeAsNobody(socket)).isEqualTo(ControlProbe.REFUSED);
        } finally {
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx------"));
        }

        assertThat(silent.get(15, TimeUnit.SECONDS)).startsWith(ControlProbe.REFUSED);
        Map<String, Double> expected = Map.of("unknown_worker", 3.0, "bad_secret", 1.0, "wrong_pid", 1.0,
                "garbage", 2.0, "timeout", 1.0);
        await("every refusal counted").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(rejections()).isEqualTo(expected));
        System.out.println("CONTROL REJECTIONS " + rejections()
                + " (plus 1 other-uid connect refused by the 0700 directory: EACCES, never reaches the master)");
        String log = master.logText();
        for (String reason : expected.keySet()) {
            assertThat(log).contains("control connection refused: reason=" + reason);
        }

        // Still serving, and the same control socket still admits a new worker.
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
        master.signal("TTIN");
        master.awaitReady(3);
    }

    private static String impersonate(KeepAliveConnection c, Path socket, String id, String secret) throws IOException {
        RawHttp.Response r = c.get("/impersonate?socket=" + URLEncoder.encode(socket.toString(), StandardCharsets.UTF_8)
                + "&id=" + id + "&secret=" + secret);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    /** Runs {@link ControlProbe} as user nobody in its own JVM and returns what it printed. */
    private static String probeAsNobody(Path socket) throws Exception {
        List<String> cmd = new ArrayList<>(MasterProcess.AS_NOBODY);
        cmd.addAll(List.of(MasterProcess.JAVA,
                "-cp", MasterProcess.testClasses(), ControlProbe.class.getName(), socket.toString(), "999", GUESSED_SECRET));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private Map<String, Double> rejections() throws IOException {
        Map<String, Double> byReason = new TreeMap<>();
        for (String line : master.metrics().split("\n")) {
            if (line.startsWith("prefork_control_rejections_total{")) {
                int start = line.indexOf("reason=\"") + 8;
                byReason.put(line.substring(start, line.indexOf('"', start)),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return byReason;
    }
}
