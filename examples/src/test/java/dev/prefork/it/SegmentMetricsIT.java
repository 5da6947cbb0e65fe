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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Metrics read from the worker segments: the sums equal the per-worker series and the client's own count right
 * after the load (no heartbeat delay), survive a killed worker, pass {@code promtool check metrics}; and what a
 * scrape costs with 4 workers.
 */
class SegmentMetricsIT {
    @RegisterExtension
    final StartedMasters masters = new StartedMasters();

    @Test
    void sumsEqualPerWorkerSeriesAndTheClientsCountAndSurviveAKilledWorker() throws Exception {
        // On tmpfs, as README suggests for the segments.
        Path controlDir = Files.createTempDirectory(Path.of("/dev/shm"), "prefork-segment-it");
        MasterProcess m = MasterProcess.start("--workers", "4", "--control-dir", controlDir.toString());
        masters.add(m);
        m.awaitReady(4);
        Path segmentDir = MasterProcess.controlSocketUnder(controlDir).getParent();
        long sent = load(m.port, 4, 250, "/");
        long counted = load(m.port, 4, 25, "/count");

        // The worker counts a request before it writes the response: no heartbeat to wait for.
        await("segments show every request").atMost(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.metric("prefork_requests_total") == sent + counted);
        String scrape = m.metrics();
        long all = sent + counted;
        assertThat(sumOf(scrape, "prefork_worker_requests_total")).isEqualTo(all);
        assertThat(sumOf(scrape, "prefork_responses_total")).isEqualTo(all);
        assertThat(sumOf(scrape, "prefork_worker_responses_total")).isEqualTo(all);
        // The application's own counter (WorkerContext.counter), summed over the workers by the master.
        assertThat(m.metric("prefork_app_example_counted_total")).isEqualTo(counted);
        assertThat(sumOf(scrape, "prefork_worker_app_example_counted_total")).isEqualTo(counted);
        assertThat(sumOf(scrape, "prefork_sent_bytes_total")).isEqualTo(sumOf(scrape, "prefork_worker_sent_bytes_total"))
                .isGreaterThan(sent * 20);
        assertThat(sumOf(scrape, "prefork_received_bytes_total"))
                .isEqualTo(sumOf(scrape, "prefork_worker_received_bytes_total"));
        assertThat(sumOf(scrape, "prefork_request_duration_seconds_count")).isEqualTo(all);
        assertThat(sumOf(scrape, "prefork_worker_request_duration_seconds_count")).isEqualTo(all);
        assertThat(m.metric("prefork_request_duration_seconds_bucket{le=\"+Inf\"}")).isEqualTo(all);
        assertThat(sumOf(scrape, "prefork_request_duration_seconds_sum")).isPositive();
        assertThat(sumOf(scrape, "prefork_worker_jvm_heap_max_bytes")).isPositive();
        assertThat(sumOf(scrape, "prefork_worker_jvm_heap_used_bytes")).isPositive();
        assertThat(sumOf(scrape, "prefork_worker_resident_memory_bytes")).isPositive();
        assertThat(sumOf(scrape, "prefork_jvm_heap_used_bytes")).isEqualTo(sumOf(scrape, "prefork_worker_jvm_heap_used_bytes"));
        assertThat(sumOf(scrape, "prefork_jvm_threads_live")).isEqualTo(sumOf(scrape, "prefork_worker_jvm_threads_live"))
                .isGreaterThanOrEqualTo(4 * 3);
        assertThat(sumOf(scrape, "prefork_segment_rejected_total")).isZero();

        long victim = m.workerPids().iterator().next();
        new ProcessBuilder("kill", "-KILL", Long.toString(victim)).inheritIO().start().waitFor();
        double last = m.metric("prefork_requests_total");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        // The ready gauge can still count the victim after the master reaped it: wait for its replacement's process too.
        while (!(m.readyWorkers() == 4 && m.workerPids().size() == 4 && !m.workerPids().contains(victim))
                && System.nanoTime() < deadline) {
            double now = m.metric("prefork_requests_total");
            assertThat(now).as("prefork_requests_total never goes down").isGreaterThanOrEqualTo(last);
            last = now;
        }
        assertThat(m.workerPids()).doesNotContain(victim).hasSize(4);
        assertThat(m.metric("prefork_requests_total")).isEqualTo(all);
        assertThat(m.metric("prefork_request_duration_seconds_count")).as("the gone worker's buckets stay").isEqualTo(all);
        assertThat(m.metric("prefork_app_example_counted_total")).as("so do its application counts").isEqualTo(counted);
        long more = load(m.port, 2, 50, "/");
        await().atMost(Duration.ofMillis(500)).until(() -> m.metric("prefork_requests_total") == all + more);
        try (var segments = Files.list(segmentDir)) {
            assertThat(segments.filter(p -> p.getFileName().toString().endsWith(".seg")).count())
                    .as("one segment per live worker; the killed one's is gone").isEqualTo(4);
        }
        scrapeCost(m, 4);
        // Last: without promtool the test ends here as skipped, after everything else was checked.
        promtoolAccepts(scrape);
    }

    private static long load(int port, int clients, int perClient, String path) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong ok = new AtomicLong();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        assertThat(RawHttp.get(port, path).status()).isEqualTo(200);
                        ok.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return ok.get();
    }

    private static void scrapeCost(MasterProcess m, int workers) throws IOException {
        for (int i = 0; i < 50; i++) {
            m.metrics();
        }
        int n = 300;
        long start = System.nanoTime();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes = m.metrics().length();
        }
        double micros = (System.nanoTime() - start) / 1e3 / n;
        System.out.printf("scrape cost: %d workers, %.0f us per GET /metrics (%d bytes), mean of %d%n", workers, micros,
                bytes, n);
    }

    private static void promtoolAccepts(String scrape) throws IOException, InterruptedException {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed (Debian package prometheus)");
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promtool check metrics:\n" + out).isZero();
    }

    private static double sumOf(String scrape, String family) {
        double total = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(family + "{") || line.startsWith(family + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

}
