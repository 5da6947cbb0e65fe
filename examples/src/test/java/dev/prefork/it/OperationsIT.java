package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's operations on real processes: HUP under keep-alive load, TTIN/TTOU, a hung worker's thread dump and
 * replacement, max-requests recycling, aggregated metrics, the pid file and the access log.
 */
class OperationsIT {
    private final List<MasterProcess> masters = new ArrayList<>();

    @AfterEach
    void killEverything() {
        masters.forEach(MasterProcess::close);
    }

    private MasterProcess start(String... args) throws IOException {
        MasterProcess m = MasterProcess.start(args);
        masters.add(m);
        return m;
    }

    @Test
    void hupUnderKeepAliveLoadFailsNoRequestAndReplacesEveryWorker() throws Exception {
        MasterProcess m = start("--workers", "2").awaitReady(2);
        Set<Long> before = m.workerPids();
        try (KeepAliveLoad load = KeepAliveLoad.start(m.port, 8)) {
            load.runUntil(Duration.ofSeconds(3));
            long hupAt = System.nanoTime();
            m.signal("HUP");
            await("every worker replaced").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Set<Long> now = m.workerPids();
                        return now.size() == 2 && now.stream().noneMatch(before::contains) && m.readyWorkers() == 2;
                    });
            long rolledMillis = (System.nanoTime() - hupAt) / 1_000_000;
            load.runUntil(Duration.ofSeconds(12));
            load.stop();
            System.out.printf("HUP under keep-alive load: %d requests, %d failed, %d reconnects after "
                    + "Connection: close, roll took %d ms%n", load.ok(), load.failed(), load.reconnects(), rolledMillis);
            assertThat(load.failures()).as("failed requests during the HUP").isEmpty();
            assertThat(load.failed()).isZero();
            assertThat(load.ok()).isGreaterThan(5_000);
            // Every old worker served; after the roll the clients reconnect to the new workers. With one shared
            // socket the kernel may hand all reconnects to one of them, so only "some new worker" is certain.
            assertThat(load.workerPidsSeen()).as("served by the old workers").containsAll(before);
            assertThat(load.workerPidsSeen()).as("served by a new worker").containsAnyElementsOf(m.workerPids());
        }
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"reload\"}")).isEqualTo(2);
    }

    @Test
    void ttinAndTtouChangeThePoolOneWorkerAtATimeNeverBelowOne() throws Exception {
        MasterProcess m = start("--workers", "2").awaitReady(2);
        m.signal("TTIN");
        awaitGauges(m, 3);
        // One signal at a time: the kernel merges a signal sent while the same one is still pending.
        m.signal("TTOU");
        awaitGauges(m, 2);
        m.signal("TTOU");
        awaitGauges(m, 1);
        m.signal("TTOU");
        await().atMost(Duration.ofSeconds(10)).until(() -> m.logText().contains("pool size stays 1"));
        awaitGauges(m, 1);
        assertThat(RawHttp.get(m.port, "/").status()).isEqualTo(200);
        m.signal("TTIN");
        awaitGauges(m, 2);
    }

    private static void awaitGauges(MasterProcess m, int ready) {
        await("prefork_workers{state=ready} == " + ready).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() ->
                        m.readyWorkers() == ready && m.metric("prefork_workers{state=\"booting\"}") == 0
                                && m.metric("prefork_workers{state=\"draining\"}") == 0);
    }

    @Test
    void aHungWorkerGetsItsThreadDumpLoggedAndIsReplaced() throws Exception {
        MasterProcess m = start("--workers", "1", "--timeout", "2").awaitReady(1);
        long hungPid = m.workerPids().iterator().next();
        long start = System.nanoTime();
        Thread burner = new Thread(() -> {
            try {
                RawHttp.get(m.port, "/burn?ms=10000", 20_000);
            } catch (IOException expected) {
                // the worker is killed under the request
            }
        });
        burner.setDaemon(true);
        burner.start();
        await("replacement ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Set<Long> pids = m.workerPids();
            return !pids.contains(hungPid) && pids.size() == 1 && m.readyWorkers() == 1;
        });
        long replacedMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("hung worker: from /burn to a ready replacement %d ms (--timeout 2 s)%n", replacedMillis);
        String prefix = "pid " + hungPid + "]";
        List<String> dump = m.logText().lines().filter(l -> l.contains(prefix)).toList();
        assertThat(dump).as("thread dump lines under the worker's prefix")
                .anyMatch(l -> l.contains("Full thread dump"))
                .anyMatch(l -> l.contains("dev.prefork.examples.ExampleApp.burn"));
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"timeout\"}")).isEqualTo(1);
        assertThat(RawHttp.get(m.port, "/").status()).isEqualTo(200);
        assertThat(replacedMillis).isLessThan(15_000);
    }

    @Test
    void maxRequestsRecyclesOneWorkerAtATimeUnderLoad() throws Exception {
        MasterProcess m = start("--workers", "2", "--max-requests", "50", "--max-requests-jitter", "10")
                .awaitReady(2);
        try (KeepAliveLoad load = KeepAliveLoad.start(m.port, 4)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> m.metric("prefork_worker_restarts_total{reason=\"max_requests\"}") >= 4);
            load.stop();
            assertThat(load.failures()).as("failed requests while recycling").isEmpty();
        }
        // Each replacement must be ready (and its old worker draining) before the next one starts.
        Pattern event = Pattern.compile("^(\\S+) .*(replaces worker \\d+|draining \\(replaced by)");
        List<String> order = new ArrayList<>();
        List<LocalTime> starts = new ArrayList<>();
        for (String line : m.logText().lines().toList()) {
            Matcher match = event.matcher(line);
            if (match.find()) {
                boolean begins = match.group(2).startsWith("replaces");
                order.add(begins ? "begin" : "end");
                if (begins) {
                    starts.add(LocalTime.parse(match.group(1)));
                }
            }
        }
        assertThat(order).hasSizeGreaterThanOrEqualTo(8);
        for (int i = 0; i + 1 < order.size(); i++) {
            assertThat(order.get(i)).as("recycle %d overlaps the next one: %s", i / 2, order)
                    .isNotEqualTo(order.get(i + 1));
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < starts.size(); i++) {
            gaps.add(Duration.between(starts.get(i - 1), starts.get(i)).toMillis());
        }
        System.out.printf("recycling: %d recycles, never overlapping; ms between recycle starts: %s%n",
                starts.size(), gaps);
    }

    @Test
    void masterMetricsSumWhatTheWorkersServed() throws Exception {
        MasterProcess m = start("--workers", "2").awaitReady(2);
        int sent = 300;
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < sent; i++) {
            pids.add(RawHttp.get(m.port, "/").workerPid());
        }
        await("heartbeats carry the counts").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.metric("prefork_requests_total") == sent);
        assertThat(m.metricSum("prefork_worker_requests_total")).isEqualTo(sent);
        assertThat(m.metric("prefork_requests_in_flight")).isZero();
        assertThat(pids).as("both workers served").hasSize(2);
    }

    @Test
    void pidFileIsWrittenRefusedWhileLiveAndRemovedAtExit() throws Exception {
        Path dir = Files.createTempDirectory("prefork-pid");
        Path pidfile = dir.resolve("master.pid");
        MasterProcess m = start("--workers", "1", "--pidfile", pidfile.toString()).awaitReady(1);
        assertThat(Files.readString(pidfile).trim()).isEqualTo(Long.toString(m.pid()));
        MasterProcess second = start("--workers", "1", "--pidfile", pidfile.toString());
        int code = second.waitForExit(Duration.ofSeconds(30));
        assertThat(code).as("a second master on a live pid file").isNotZero();
        assertThat(second.logText()).contains(pidfile.toString());
        assertThat(Files.readString(pidfile).trim()).isEqualTo(Long.toString(m.pid()));
        m.signal("TERM");
        assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void accessLogLinesReachTheMasterLogUnderTheWorkerPrefix() throws Exception {
        MasterProcess m = start("--workers", "1", "--access-log").awaitReady(1);
        RawHttp.Response r = RawHttp.get(m.port, "/sleep?ms=1&marker=access-it");
        assertThat(r.status()).isEqualTo(200);
        long pid = r.workerPid();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.logText().lines().anyMatch(l ->
                l.contains("pid " + pid + "]") && l.contains("\"GET /sleep?ms=1&marker=access-it HTTP/1.1\" 200")));
    }

    @Test
    void theEmbeddingExampleRunsItsOwnApplicationAndHookAndStopsCleanly() throws Exception {
        MasterProcess m = MasterProcess.startClass("dev.prefork.examples.EmbeddedExample", "--workers", "1");
        masters.add(m);
        m.awaitReady(1);
        RawHttp.Response r = RawHttp.get(m.port, "/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("Hello from worker 1");
        await().atMost(Duration.ofSeconds(10)).until(() -> m.logText().contains("embedded: ready, 1 workers"));
        m.signal("TERM");
        assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
    }

    /**
     * Keep-alive load: each thread sends GETs in turn on one connection, and opens a new one only after a response
     * with {@code Connection: close}. Any I/O error or non-2xx answer is a failed request.
     */
    static final class KeepAliveLoad implements AutoCloseable {
        private final int port;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong reconnects = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final Set<Long> pids = ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;
        private final long startNanos = System.nanoTime();

        private KeepAliveLoad(int port) {
            this.port = port;
        }

        static KeepAliveLoad start(int port, int connections) {
            KeepAliveLoad load = new KeepAliveLoad(port);
            for (int i = 0; i < connections; i++) {
                Thread t = new Thread(load::loop, "keep-alive-load-" + i);
                t.setDaemon(true);
                load.threads.add(t);
                t.start();
            }
            return load;
        }

        private void loop() {
            while (running) {
                try (KeepAliveConnection connection = new KeepAliveConnection(port, 10_000)) {
                    boolean open = true;
                    while (running && open) {
                        RawHttp.Response r = connection.get("/");
                        if (r.status() / 100 != 2) {
                            failures.add(r.status() + " " + r.body());
                        } else {
                            ok.incrementAndGet();
                            pids.add(r.workerPid());
                        }
                        open = !"close".equalsIgnoreCase(r.header("connection"));
                    }
                    if (!open) {
                        reconnects.incrementAndGet();
                    }
                } catch (IOException e) {
                    if (running) {
                        failures.add(e.toString());
                    }
                }
            }
        }

        /** Returns once {@code sinceStart} has passed since the load started (the load's length, not a sync). */
        void runUntil(Duration sinceStart) throws InterruptedException {
            long left = startNanos + sinceStart.toNanos() - System.nanoTime();
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
        }

        long ok() {
            return ok.get();
        }

        long failed() {
            return failures.size();
        }

        long reconnects() {
            return reconnects.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        Set<Long> workerPidsSeen() {
            return Set.copyOf(pids);
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(15_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
