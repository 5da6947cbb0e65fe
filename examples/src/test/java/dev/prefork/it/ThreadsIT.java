package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Blocking handlers ({@code --threads}, {@code --thread-queue}) and {@code --request-timeout} with real clients:
 * curl for the answers, wrk for the blocking comparison. The example's {@code GET /block?ms=N} sleeps on a handler
 * thread with --threads, and on the event loop without.
 */
class ThreadsIT {
    /** Temurin 25 on this machine (the build's own Java is 17): for --threads virtual. */
    static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void blockingRequestsRunOnHandlerThreadsAndTheEventLoopStaysFree() throws Exception {
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "4")) {
            m.awaitReady(1);
            String base = "http://127.0.0.1:" + m.port;
            Curl.Result block = Curl.run(base + "/block?ms=20");
            assertThat(block.status()).isEqualTo(200);
            assertThat(block.body()).isEqualTo("blocked 20 ms\n");
            // Three 1.5 s blocks in flight on the handler threads; the one event loop still answers / at once.
            List<CompletableFuture<Curl.Result>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(CompletableFuture.supplyAsync(() -> curl(base + "/block?ms=1500")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> m.metric("prefork_requests_in_flight") >= 3);
            Curl.Result hello = Curl.run(base + "/");
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.seconds()).as("/ while 3 handlers block").isLessThan(1.0);
            for (CompletableFuture<Curl.Result> s : slow) {
                assertThat(s.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            assertThat(m.logText()).contains("4 handler threads, 128 may wait");
        }
    }

    @Test
    void aFullPoolAnswers503AtOnce() throws Exception {
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "1", "--thread-queue", "1")) {
            m.awaitReady(1);
            String base = "http://127.0.0.1:" + m.port;
            List<CompletableFuture<Curl.Result>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slow.add(CompletableFuture.supplyAsync(() -> curl(base + "/block?ms=2000")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> m.metric("prefork_requests_in_flight") >= 2);
            Curl.Result full = Curl.run("-i", base + "/block?ms=10");
            assertThat(full.status()).isEqualTo(503);
            assertThat(full.body()).containsIgnoringCase("retry-after: 1").contains("handler threads are busy");
            assertThat(full.seconds()).isLessThan(1.0);
            // The refusal reaches the master with the next heartbeat.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> m.metric("prefork_requests_rejected_total{reason=\"threads_full\"}") == 1);
            for (CompletableFuture<Curl.Result> s : slow) {
                assertThat(s.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            assertThat(m.metric("prefork_requests_rejected_total{reason=\"threads_full\"}")).isEqualTo(1);
        }
    }

    @Test
    void aRequestPastTheTimeoutGets503IsCountedAndTheWorkerKeepsServing() throws Exception {
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "2", "--request-timeout", "1")) {
            m.awaitReady(1);
            String base = "http://127.0.0.1:" + m.port;
            long worker = m.workerPids().iterator().next();
            Curl.Result late = Curl.run("-i", base + "/block?ms=5000");
            assertThat(late.status()).isEqualTo(503);
            assertThat(late.body()).containsIgnoringCase("connection: close").contains("request timeout");
            assertThat(late.seconds()).isBetween(0.9, 3.0);
            // An event-loop handler (async /sleep) times out the same way.
            assertThat(Curl.run(base + "/sleep?ms=5000").status()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> m.metric("prefork_request_timeouts_total") == 2);
            Curl.Result after = Curl.run("-i", base + "/block?ms=10");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.body()).contains("X-Worker-Pid: " + worker);
            assertThat(m.workerPids()).containsExactly(worker);
        }
    }

    @Test
    void threadsServeBlockingHandlersManyTimesFasterThanTheEventLoop() throws Exception {
        double onLoop;
        try (MasterProcess m = MasterProcess.start("--workers", "1")) {
            m.awaitReady(1);
            onLoop = wrkRps(m.port, "/block?ms=10");
        }
        double onThreads;
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "16")) {
            m.awaitReady(1);
            onThreads = wrkRps(m.port, "/block?ms=10");
        }
        System.out.printf("wrk -c16 /block?ms=10, 1 worker: event loop %.0f req/s, --threads 16 %.0f req/s%n",
                onLoop, onThreads);
        // One event loop serialises the 10 ms sleeps (at most 100/s); 16 threads overlap them.
        assertThat(onLoop).isLessThan(110);
        assertThat(onThreads).isGreaterThan(onLoop * 4);
    }

    @Test
    void virtualThreadsOnJava25AndAConfigErrorOnJava17() throws Exception {
        if (Runtime.version().feature() < 21) {
            try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "virtual")) {
                assertThat(m.waitForExit(Duration.ofSeconds(30))).isEqualTo(2);
                assertThat(m.logText()).contains("--threads").contains("Java 21")
                        .contains("this is Java " + Runtime.version());
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(JAVA_25), "no Java 25 at " + JAVA_25);
        try (MasterProcess m = MasterProcess.startWithJava(JAVA_25.toString(), "--workers", "1", "--threads",
                "virtual", "--worker-cds", "off")) {
            m.awaitReady(1);
            Curl.Result block = Curl.run("http://127.0.0.1:" + m.port + "/block?ms=20");
            assertThat(block.status()).isEqualTo(200);
            assertThat(m.logText()).contains("one virtual thread per request");
            double rps = wrkRps(m.port, "/block?ms=10");
            System.out.printf("wrk -c16 /block?ms=10, 1 worker, --threads virtual on Java 25: %.0f req/s%n", rps);
            assertThat(rps).isGreaterThan(400);
        }
    }

    private static Curl.Result curl(String url) {
        try {
            return Curl.run(url);
        } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    /** Requests/s of {@code wrk -t1 -c16 -d3s}. */
    static double wrkRps(int port, String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t1", "-c16", "-d3s", "http://127.0.0.1:" + port + path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        assertThat(rps.find()).as("wrk output: %s", out).isTrue();
        assertThat(out).doesNotContain("Non-2xx");
        return Double.parseDouble(rps.group(1));
    }
}
