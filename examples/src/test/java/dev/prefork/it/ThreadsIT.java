package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.it.TestCertificates.Commands;
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

    /*
     * Over h2c with h2load, not curl: curl 7.88 (Debian 12) fails to reuse a prior-knowledge connection for a second
     * URL ("Error in the HTTP2 framing layer", curl/curl#10634, fixed in curl 8.0), whatever the server.
     */

    @Test
    void overH2cATimedOutStreamGets503AndTheConnectionGoesOn() throws Exception {
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "2", "--request-timeout", "1")) {
            m.awaitReady(1);
            String base = "http://127.0.0.1:" + m.port;
            // One connection (-c 1), one stream at a time (-m 1), the URLs in turn: a blocking handler and an
            // event-loop handler past the timeout, then a quick one on the same connection (h2load does not
            // reconnect: had the timeout closed the connection, the third request would be "errored").
            String out = h2load("-n", "3", "-c", "1", "-m", "1", base + "/block?ms=5000", base + "/sleep?ms=5000",
                    base + "/block?ms=10");
            assertThat(out).contains("requests: 3 total, 3 started, 3 done").contains(", 0 errored")
                    .contains("status codes: 1 2xx, 0 3xx, 0 4xx, 2 5xx");
            await().atMost(Duration.ofSeconds(10)).until(() -> m.metric("prefork_request_timeouts_total") == 2);
            assertThat(m.logText()).contains("answering 503 and ending its HTTP/2 stream");
        }
    }

    @Test
    void overH2cStreamsOfOneConnectionShareThePoolAndTheOneTooManyGets503() throws Exception {
        try (MasterProcess m = MasterProcess.start("--workers", "1", "--threads", "1", "--thread-queue", "1")) {
            m.awaitReady(1);
            // Three streams at once on one connection: one runs, one waits, the third finds the pool full.
            String out = h2load("-n", "3", "-c", "1", "-m", "3", "http://127.0.0.1:" + m.port + "/block?ms=2000");
            assertThat(out).contains("requests: 3 total, 3 started, 3 done").contains(", 0 errored")
                    .contains("status codes: 2 2xx, 0 3xx, 0 4xx, 1 5xx");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> m.metric("prefork_requests_rejected_total{reason=\"threads_full\"}") == 1);
        }
    }

    private static String h2load(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("h2load"));
        cmd.addAll(List.of(args));
        return Commands.run(cmd, null, 60).requireSuccess();
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
