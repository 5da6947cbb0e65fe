package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core, end to end with real processes: the example jar's master and its worker JVMs. */
class CoreIT {
    private MasterProcess master;

    @AfterEach
    void killEverything() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void requestsAreServedByAtLeastTwoWorkers() throws Exception {
        master = MasterProcess.start("--workers", "2").awaitReady(2);
        Set<Long> pids = new HashSet<>();
        await("two distinct worker pids answer").atMost(Duration.ofSeconds(20)).until(() -> {
            RawHttp.Response r = RawHttp.get(master.port, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("Hello, World!");
            pids.add(r.workerPid());
            return pids.size() >= 2;
        });
        assertThat(pids).isSubsetOf(master.workerPids());
    }

    @Test
    void aKilledWorkerIsReplacedAndCountedAsCrashed() throws Exception {
        master = MasterProcess.start("--workers", "2").awaitReady(2);
        Set<Long> before = master.workerPids();
        long victim = before.iterator().next();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        await("replacement ready").atMost(Duration.ofSeconds(20)).until(() -> {
            Set<Long> now = master.workerPids();
            return !now.contains(victim) && now.size() == 2 && master.readyWorkers() == 2;
        });
        assertThat(master.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
    }

    @Test
    void termLetsAnInFlightRequestFinishThenExitsZero() throws Exception {
        master = MasterProcess.start("--workers", "2", "--graceful-timeout", "10").awaitReady(2);
        CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(master.port, "/sleep?ms=2000");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // The request is in flight once a worker reports it (heartbeats carry in-flight counts), or after the
        // connection surely reached the worker: poll the aggregated gauge, falling back to the log.
        await("request in flight").atMost(Duration.ofSeconds(5)).until(() -> inFlightRequests() >= 1);
        master.signal("TERM");

        await("readiness goes 503").atMost(Duration.ofSeconds(2))
                .until(() -> master.adminStatus("/readyz") != 200);
        RawHttp.Response response = inFlight.get();
        assertThat(response.status()).isEqualTo(200);
        assertThat(master.waitForExit(Duration.ofSeconds(15))).isEqualTo(0);
        for (ProcessHandle worker : master.seenDescendants()) {
            assertThat(MasterProcess.hasExited(worker)).as("worker %d after master exit", worker.pid()).isTrue();
        }
    }

    private double inFlightRequests() {
        try {
            return master.metric("prefork_requests_in_flight");
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void killingTheMasterTakesEveryWorkerDownWithinTwoSeconds() throws Exception {
        master = MasterProcess.start("--workers", "2").awaitReady(2);
        Set<ProcessHandle> workers = master.seenDescendants();
        assertThat(workers).hasSizeGreaterThanOrEqualTo(2);
        master.process.destroyForcibly();
        await("every worker exits").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> workers.stream().allMatch(MasterProcess::hasExited));
    }

    /** Sends a Hello (u16 length, type 1, i32 id, u16 length + secret) and expects EOF with no byte, so no fd. */
    private static void assertNoFdIsPassed(Path socket, int claimedWorkerId) throws IOException {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(2 + 1 + 4 + 2 + secret.length);
        hello.putShort((short) (1 + 4 + 2 + secret.length)).put((byte) 1).putInt(claimedWorkerId)
                .putShort((short) secret.length).put(secret).flip();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(hello);
            // Blocking read: the master sends each fd with one data byte, so EOF first means no fd was passed.
            // The master's handshake deadline (5 s) bounds the wait.
            ByteBuffer in = ByteBuffer.allocate(16);
            int n = channel.read(in);
            assertThat(n).as("read result for claimed worker %d", claimedWorkerId).isEqualTo(-1);
        }
    }

    @Test
    void aProcessTheMasterDidNotSpawnGetsNoFileDescriptor(@TempDir Path controlParent) throws Exception {
        master = MasterProcess.start("--workers", "1", "--control-dir", controlParent.toString()).awaitReady(1);
        Path socket = MasterProcess.controlSocketUnder(controlParent);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");

        // An id the master never spawned, then the id of its live worker with a wrong secret.
        assertNoFdIsPassed(socket, 999);
        assertNoFdIsPassed(socket, 1);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                master.metric("prefork_control_rejections_total{reason=\"unknown_worker\"}") == 1.0
                        && master.metricSum("prefork_control_rejections_total") == 2.0);
        assertThat(master.logText()).contains("unknown_worker");
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
    }
}
