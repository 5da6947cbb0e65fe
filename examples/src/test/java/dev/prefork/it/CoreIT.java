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
import java.util.stream.Stream;
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
            assertThat(worker.isAlive()).as("worker %d after master exit", worker.pid()).isFalse();
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
                .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void aProcessTheMasterDidNotSpawnGetsNoFileDescriptor(@TempDir Path controlParent) throws Exception {
        master = MasterProcess.start("--workers", "1", "--control-dir", controlParent.toString()).awaitReady(1);
        Path socket;
        try (Stream<Path> found = Files.walk(controlParent)) {
            socket = found.filter(p -> p.getFileName().toString().equals("control.sock")).findFirst().orElseThrow();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");

        // Claim to be worker 1 with a wrong secret: a Hello frame is u16 length, type 1, i32 id, u16 len + secret.
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(2 + 1 + 4 + 2 + secret.length);
        hello.putShort((short) (1 + 4 + 2 + secret.length)).put((byte) 1).putInt(1)
                .putShort((short) secret.length).put(secret).flip();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(hello);
            // The master sends each fd with one data byte; EOF with nothing read means no fd was passed.
            ByteBuffer in = ByteBuffer.allocate(16);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int n = 0;
            while (System.nanoTime() < deadline && (n = channel.read(in)) == 0) {
                Thread.onSpinWait();
            }
            assertThat(n).as("bytes (fds) received before the master closed").isEqualTo(-1);
            assertThat(in.position()).isZero();
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                master.metrics().contains("prefork_control_rejections_total{reason=\"bad_secret\"} 1.0")
                        || master.metrics().contains("prefork_control_rejections_total{reason=\"wrong_pid\"} 1.0"));
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
    }
}
