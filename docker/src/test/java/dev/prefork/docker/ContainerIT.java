package dev.prefork.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image under real Docker: it serves and scrapes, it drains on {@code docker stop} without losing a request,
 * it replaces a killed worker and leaves no zombie, it reaps orphans as PID 1, and it still works under tini.
 * Never skipped: without Docker or without the image these tests fail (and the pom fails the build on a skip).
 */
class ContainerIT {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerIT.class);
    private static final int WORKERS = 2;

    /** Shared by the tests that leave the container running. */
    static PreforkContainer shared;

    @BeforeAll
    static void dockerAndImageArePresent() {
        assertThat(DockerClientFactory.instance().isDockerAvailable())
                .as("Docker must be reachable (DOCKER_HOST=%s): run .ci/docker-setup.sh", System.getenv("DOCKER_HOST"))
                .isTrue();
        try {
            DockerClientFactory.instance().client().inspectImageCmd(PreforkContainer.IMAGE).exec();
        } catch (NotFoundException e) {
            throw new AssertionError("image " + PreforkContainer.IMAGE + " is missing: build it with "
                    + "docker/build-image.sh (or mvn -Pcontainers without -Dprefork.image.build.skip)", e);
        }
        shared = PreforkContainer.start("shared", Map.of("PREFORK_WORKERS", Integer.toString(WORKERS)), false);
    }

    @AfterAll
    static void removeShared() {
        if (shared != null) {
            shared.close();
        }
    }

    @Test
    void servesTheAppAndItsMetricsScrape() {
        RawHttp.Response root = shared.app("/");
        assertThat(root.status).as("GET / -> %s", root).isEqualTo(200);
        assertThat(root.body).isEqualTo("Hello, World!");
        assertThat(root.header("X-Worker-Pid")).matches("\\d+");
        assertThat(shared.admin("/healthz").status).isEqualTo(200);
        assertThat(shared.admin("/readyz").status).isEqualTo(200);

        RawHttp.Response scrape = shared.admin("/metrics");
        assertThat(scrape.status).isEqualTo(200);
        assertThat(scrape.header("Content-Type")).startsWith("text/plain");
        PrometheusText metrics = PrometheusText.parse(scrape.body);
        assertThat(metrics.malformed).as("lines that are not Prometheus samples").isEmpty();
        assertThat(metrics.sum("prefork_workers", Map.of("state", "ready"))).isEqualTo(WORKERS);
        assertThat(metrics.has("prefork_zombies")).isTrue();
        assertThat(metrics.sum("prefork_zombies")).isZero();
    }

    @Test
    void theMasterIsPidOne() {
        ExecResult cmdline = shared.sh("tr '\\0' ' ' < /proc/1/cmdline");
        assertThat(cmdline.getStdout()).contains("java").contains("/app/prefork-example.jar");
        ExecResult user = shared.sh("id -u");
        assertThat(user.getStdout().strip()).as("uid inside the container").isNotEqualTo("0");
    }

    @Test
    void aKilledWorkerIsReplacedAndLeavesNoZombie() {
        String victim = shared.app("/").header("X-Worker-Pid");
        assertThat(victim).as("X-Worker-Pid").matches("\\d+");
        double crashedBefore = shared.metrics().sum("prefork_worker_restarts_total", Map.of("reason", "crashed"));

        ExecResult kill = shared.sh("kill -9 " + victim);
        assertThat(kill.getExitCode()).as("kill -9 %s: %s", victim, kill.getStderr()).isZero();

        List<Double> zombieGauge = new ArrayList<>();
        await("worker " + victim + " replaced").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    PrometheusText m = shared.metrics();
                    zombieGauge.add(m.sum("prefork_zombies"));
                    assertThat(m.sum("prefork_worker_restarts_total", Map.of("reason", "crashed"))).isGreaterThan(crashedBefore);
                    assertThat(m.sum("prefork_workers", Map.of("state", "ready"))).isEqualTo(WORKERS);
                });
        for (int i = 0; i < 20; i++) {
            RawHttp.Response r = shared.app("/");
            assertThat(r.status).as("GET / after the kill -> %s", r).isEqualTo(200);
            assertThat(r.header("X-Worker-Pid")).isNotEqualTo(victim);
        }
        zombieGauge.add(shared.metrics().sum("prefork_zombies"));
        assertThat(zombieGauge).as("prefork_zombies during the replacement").containsOnly(0.0);
        assertThat(shared.zombies()).as("processes in state Z inside the container").isEmpty();
    }

    @Test
    void orphansAreReapedByTheMasterAsPidOne() {
        double reapedBefore = shared.metrics().sum("prefork_zombies_reaped_total");
        // The shell exits at once; its background child is re-parented to PID 1, the master, and exits soon after.
        ExecResult orphan = shared.sh("sleep 0.3 & exit 0");
        assertThat(orphan.getExitCode()).isZero();
        await("the orphan is reaped").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(shared.metrics().sum("prefork_zombies_reaped_total")).isGreaterThan(reapedBefore));
        assertThat(shared.zombies()).as("processes in state Z inside the container").isEmpty();
        assertThat(shared.metrics().sum("prefork_zombies")).isZero();
    }

    @Test
    void dockerStopDuringLoadCompletesEveryStartedRequestAndExitsZero() throws Exception {
        // A drain delay shorter than the /sleep requests: they are still in flight when the workers stop accepting.
        int drainDelay = 1;
        int gracefulTimeout = 20;
        int slack = 5;
        int sleepers = 6;
        try (PreforkContainer c = PreforkContainer.start("stop", Map.of(
                "PREFORK_WORKERS", Integer.toString(WORKERS),
                "PREFORK_DRAIN_DELAY", Integer.toString(drainDelay),
                "PREFORK_GRACEFUL_TIMEOUT", Integer.toString(gracefulTimeout)), false)) {
            BoundedLoad load = new BoundedLoad(c, 2, 20_000, Duration.ofSeconds(90));
            try {
                load.start();
                await("load is flowing").atMost(Duration.ofSeconds(30)).until(() -> load.completed() >= 300);
                List<RawHttp.InFlight> inFlight = new ArrayList<>();
                for (int i = 0; i < sleepers; i++) {
                    inFlight.add(c.sendApp("/sleep?ms=2000"));
                }
                assertThat(inFlight).as("/sleep requests on the wire").allMatch(RawHttp.InFlight::sent);
                List<CompletableFuture<RawHttp.Response>> sleeping = inFlight.stream()
                        .map(f -> CompletableFuture.supplyAsync(f::await)).collect(Collectors.toList());

                long stopAt = System.nanoTime();
                c.dockerStop(30);
                double stopSeconds = (System.nanoTime() - stopAt) / 1e9;
                load.stop();

                InspectContainerResponse.ContainerState state = c.state();
                assertThat(state.getRunning()).isFalse();
                assertThat(state.getExitCodeLong()).as("exit code of the master after TERM").isZero();
                assertThat(stopSeconds).as("docker stop duration (s), budget %d + %d + %d", drainDelay, gracefulTimeout, slack)
                        .isLessThan(drainDelay + gracefulTimeout + slack).isLessThan(30);

                for (CompletableFuture<RawHttp.Response> s : sleeping) {
                    RawHttp.Response r = s.get(30, TimeUnit.SECONDS);
                    assertThat(r.status).as("a /sleep request in flight at the stop -> %s", r).isEqualTo(200);
                }
                List<BoundedLoad.Outcome> beforeStop = load.outcomes().stream()
                        .filter(o -> o.startedNanos < stopAt).collect(Collectors.toList());
                List<BoundedLoad.Outcome> lost = beforeStop.stream().filter(o -> o.response.status != 200).collect(Collectors.toList());
                long afterStop = load.outcomes().stream().filter(o -> o.startedNanos >= stopAt).count();
                long servedAfterStop = load.outcomes().stream()
                        .filter(o -> o.startedNanos >= stopAt && o.response.status == 200).count();
                LOG.info("docker stop: {} s; requests started before it {} (lost {}), after it {} (served {}), sleepers {}",
                        String.format("%.2f", stopSeconds), beforeStop.size(), lost.size(), afterStop, servedAfterStop, sleepers);
                assertThat(lost).as("requests started before docker stop that did not get 200")
                        .extracting(o -> o.response.toString()).isEmpty();
            } finally {
                load.stop();
            }
        }
    }

    @Test
    void duringTheDrainDelayReadinessIs503WhileWorkersStillServe() throws Exception {
        int drainDelay = 3;
        try (PreforkContainer c = PreforkContainer.start("drain-delay", Map.of(
                "PREFORK_WORKERS", "1",
                "PREFORK_DRAIN_DELAY", Integer.toString(drainDelay),
                "PREFORK_GRACEFUL_TIMEOUT", "10"), false)) {
            long stopAt = System.nanoTime();
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> c.dockerStop(30));
            await("/readyz 503 at once after TERM").atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
                    .until(() -> c.admin("/readyz").status == 503);
            RawHttp.Response served = c.app("/");
            double servedAfter = (System.nanoTime() - stopAt) / 1e9;
            assertThat(servedAfter).as("still inside the drain delay").isLessThan(drainDelay);
            assertThat(served.status).as("GET / during the drain delay -> %s", served).isEqualTo(200);
            assertThat(c.admin("/healthz").status).as("liveness stays 200 while draining").isEqualTo(200);

            stop.get(40, TimeUnit.SECONDS);
            double stopSeconds = (System.nanoTime() - stopAt) / 1e9;
            assertThat(c.state().getExitCodeLong()).isZero();
            assertThat(stopSeconds).as("docker stop duration (s): the drain delay, then a quick drain")
                    .isGreaterThanOrEqualTo(drainDelay).isLessThan(drainDelay + 10);
        }
    }

    @Test
    void worksUnderTiniToo() {
        try (PreforkContainer c = PreforkContainer.start("tini", Map.of("PREFORK_WORKERS", "1"), true)) {
            assertThat(c.sh("cat /proc/1/comm").getStdout().strip()).as("PID 1 under --init").isNotEqualTo("java");
            assertThat(c.app("/").status).isEqualTo(200);
            assertThat(c.metrics().sum("prefork_workers", Map.of("state", "ready"))).isEqualTo(1);
            long stopAt = System.nanoTime();
            c.dockerStop(30);
            double stopSeconds = (System.nanoTime() - stopAt) / 1e9;
            assertThat(c.state().getExitCodeLong()).as("exit code through tini").isZero();
            assertThat(stopSeconds).as("docker stop duration (s): tini forwards TERM").isLessThan(30);
        }
    }

    /** A few client threads sending GET / one after another, until stopped or bounded by count and time. */
    static final class BoundedLoad {
        static final class Outcome {
            final long startedNanos;
            final RawHttp.Response response;

            Outcome(long startedNanos, RawHttp.Response response) {
                this.startedNanos = startedNanos;
                this.response = response;
            }
        }

        private final PreforkContainer target;
        private final int threads;
        private final int maxPerThread;
        private final Duration maxDuration;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        private final ExecutorService pool;

        BoundedLoad(PreforkContainer target, int threads, int maxPerThread, Duration maxDuration) {
            this.target = target;
            this.threads = threads;
            this.maxPerThread = maxPerThread;
            this.maxDuration = maxDuration;
            this.pool = Executors.newFixedThreadPool(threads);
        }

        void start() {
            long deadline = System.nanoTime() + maxDuration.toNanos();
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < maxPerThread && !stopped.get() && System.nanoTime() < deadline; i++) {
                        long started = System.nanoTime();
                        outcomes.add(new Outcome(started, target.app("/")));
                    }
                });
            }
        }

        long completed() {
            return outcomes.size();
        }

        List<Outcome> outcomes() {
            return new ArrayList<>(outcomes);
        }

        /** Stops sending and waits for the threads (each request has its own timeout). */
        void stop() throws InterruptedException {
            stopped.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                pool.shutdownNow();
                throw new AssertionError("load threads did not finish within 30 s");
            }
        }
    }
}
