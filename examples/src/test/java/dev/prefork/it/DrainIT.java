package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's drain sequence on TERM, on real processes: readiness off at once, serving through the drain delay,
 * in-flight requests finished, the accept backlog served rather than reset, exit 0, each step logged.
 */
class DrainIT {
    private final List<MasterProcess> masters = new ArrayList<>();

    @AfterEach
    void killEverything() {
        masters.forEach(MasterProcess::close);
    }

    @Test
    void termWithDrainDelayTurnsReadinessOffServesThroughTheDelayThenFinishesInFlightAndExitsZero()
            throws Exception {
        MasterProcess m = MasterProcess.start("--workers", "2", "--drain-delay", "3", "--graceful-timeout", "10");
        masters.add(m);
        m.awaitReady(2);
        CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(m.port, "/sleep?ms=4000", 15_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the /sleep request is in flight").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> m.metric("prefork_requests_in_flight") >= 1);

        long termAt = System.nanoTime();
        m.signal("TERM");
        await("/readyz 503 at once").atMost(Duration.ofMillis(2_000)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.adminStatus("/readyz") == 503);
        long readyOffMillis = millis(termAt);

        int servedDuringDelay = 0;
        while (millis(termAt) < 2_500) {
            RawHttp.Response r = RawHttp.get(m.port, "/");
            assertThat(r.status()).as("new connections during the drain delay").isEqualTo(200);
            servedDuringDelay++;
        }
        assertThat(servedDuringDelay).isGreaterThan(0);

        RawHttp.Response slept = inFlight.get(15, TimeUnit.SECONDS);
        assertThat(slept.status()).isEqualTo(200);
        assertThat(slept.body()).startsWith("slept");
        assertThat(m.waitForExit(Duration.ofSeconds(20))).isZero();
        long exitMillis = millis(termAt);
        System.out.printf("drain: /readyz 503 after %d ms, %d requests served during the 3 s delay, exit 0 after "
                + "%d ms%n", readyOffMillis, servedDuringDelay, exitMillis);
        assertThat(exitMillis).as("exit within drain delay + graceful timeout").isLessThan(13_000);

        // The master's steps carry their time since TERM, "(+N ms)"; the workers' lines do not.
        List<String> steps = m.logText().lines().filter(l -> l.matches(".*drain step \\d/4 \\(\\+.*")).toList();
        assertThat(steps).as("the master logs each step").hasSizeGreaterThanOrEqualTo(4);
        assertThat(steps.get(0)).contains("drain step 1/4");
        assertThat(steps.get(1)).contains("drain step 2/4");
        assertThat(steps.get(steps.size() - 1)).contains("drain step 4/4", "exits with code 0");
        assertThat(m.logText()).contains("stopped accepting after 3");
    }

    /**
     * Connections waiting in the accept backlog when the workers stop accepting are served, not reset (Gunicorn
     * drops them, gunicorn #3397): the only worker's event loop is blocked by {@code /burn} while five clients
     * connect and send, and TERM arrives meanwhile.
     */
    @Test
    void termServesTheConnectionsQueuedInTheAcceptBacklog() throws Exception {
        MasterProcess m = MasterProcess.start("--workers", "1", "--timeout", "0");
        masters.add(m);
        m.awaitReady(1);
        CompletableFuture<RawHttp.Response> burn = CompletableFuture.supplyAsync(() -> request(m.port, "/burn?ms=2500"));
        await("the burn blocks the event loop").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.metric("prefork_requests_in_flight") >= 1);
        List<CompletableFuture<RawHttp.Response>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(CompletableFuture.supplyAsync(() -> request(m.port, "/")));
        }
        m.signal("TERM");
        assertThat(burn.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        for (CompletableFuture<RawHttp.Response> q : queued) {
            assertThat(q.get(20, TimeUnit.SECONDS).status()).as("a connection queued in the backlog").isEqualTo(200);
        }
        assertThat(m.waitForExit(Duration.ofSeconds(20))).isZero();
        assertThat(m.logText()).containsPattern("serving [1-5] connection\\(s\\) from the accept backlog");
    }

    /**
     * Issue 12, defect 1: the budget is drain delay + graceful timeout from TERM in the worker too (it counted the
     * graceful timeout from the start of its drain, delay included, and cut the request). Here 2 + 2 s: a request
     * with about 3 s left at TERM is answered, and the master still exits 0.
     */
    @Test
    void aRequestInFlightAtTermGetsTheDrainDelayPlusTheGracefulTimeout() throws Exception {
        MasterProcess m = MasterProcess.start("--workers", "1", "--drain-delay", "2", "--graceful-timeout", "2",
                "--timeout", "2");
        masters.add(m);
        m.awaitReady(1);
        long sentAt = System.nanoTime();
        CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(
                () -> request(m.port, "/sleep?ms=3500"));
        await("the /sleep request is in flight").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.metric("prefork_requests_in_flight") >= 1);
        m.signal("TERM");
        long leftAtTerm = 3500 - millis(sentAt);
        assertThat(leftAtTerm).as("the request outlives the graceful timeout alone, or this proves nothing")
                .isGreaterThan(2_000);

        RawHttp.Response slept = inFlight.get(15, TimeUnit.SECONDS);
        assertThat(slept.status()).as("answered within drain delay + graceful timeout").isEqualTo(200);
        assertThat(slept.body()).startsWith("slept");
        assertThat(m.waitForExit(Duration.ofSeconds(15))).isZero();
    }

    private static RawHttp.Response request(int port, String path) {
        try {
            return RawHttp.get(port, path, 15_000);
        } catch (IOException e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }

    private static long millis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
