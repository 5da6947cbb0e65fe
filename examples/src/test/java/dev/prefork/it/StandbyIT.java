package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --standby}: a SIGKILLed serving worker's slot goes to the standby at once (measured: kill to the first
 * request the standby serves), and a paced load loses no more requests than the connections the dead worker held.
 */
class StandbyIT {
    private static final int WORKERS = 2;
    /**
     * Kill to served is measured with one serving worker: then every probe waits for the replacement. With a second
     * one on the shared socket, that survivor answers nearly every probe and the figure measures the probes' luck.
     */
    private static final int MEASURED_WORKERS = 1;
    private static final int KILLS = Integer.getInteger("standby.kills", 5);
    /** Loose on purpose (a loaded 2-core machine); the figure printed is what matters, the goal is 10 ms. */
    private static final long MEDIAN_BOUND_MILLIS = 150;

    private MasterProcess master;

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
    }

    private MasterProcess startWithStandby(int workers) throws IOException {
        master = MasterProcess.start("--workers", Integer.toString(workers), "--standby", "1");
        master.awaitReady(workers);
        awaitStandby(workers);
        return master;
    }

    private void awaitStandby(int workers) {
        await("a standby standing by").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    master.assertAlive();
                    return master.metric("prefork_workers{state=\"standby\"}") == 1.0
                            && master.readyWorkers() == workers;
                });
    }

    /** The pids that answer new connections: the serving workers (a standby accepts nothing). */
    private Set<Long> servingPids(int workers) {
        Set<Long> seen = new HashSet<>();
        await("every serving worker answers").atMost(Duration.ofSeconds(10)).until(() -> {
            seen.add(RawHttp.get(master.port, "/", 2_000).workerPid());
            return seen.size() == workers;
        });
        return seen;
    }

    @Test
    void aKilledWorkersSlotIsServedByTheStandbyWithinMilliseconds() throws Exception {
        startWithStandby(MEASURED_WORKERS);
        List<Double> millis = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            awaitStandby(MEASURED_WORKERS);
            Set<Long> serving = servingPids(MEASURED_WORKERS);
            Set<Long> standby = new HashSet<>(master.workerPids());
            standby.removeAll(serving);
            assertThat(standby).as("one standby besides the serving workers").hasSize(1);
            long victim = serving.iterator().next();

            long killedAt = System.nanoTime();
            java.time.LocalTime killClock = java.time.LocalTime.now();
            int probes = 0;
            int probeErrors = 0;
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            long replacement;
            long servedAt;
            while (true) {
                assertThat(System.nanoTime() - killedAt).as("a replacement serves within 10 s")
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
                RawHttp.Response r;
                probes++;
                try {
                    r = RawHttp.get(master.port, "/", 2_000);
                } catch (IOException e) {
                    probeErrors++;
                    continue; // the victim may take a connection as it dies: the client retries
                }
                if (!serving.contains(r.workerPid())) {
                    servedAt = System.nanoTime();
                    replacement = r.workerPid();
                    break;
                }
            }
            assertThat(replacement).as("the standby took the slot").isEqualTo(standby.iterator().next());
            millis.add((servedAt - killedAt) / 1e6);
            System.out.printf("STANDBY kill %d at %s: served by pid %d after %.1f ms, %d probe(s), %d failed%n", kill,
                    killClock, replacement, (servedAt - killedAt) / 1e6, probes, probeErrors);
        }
        List<Double> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        double median = sorted.get(sorted.size() / 2);
        System.out.printf("STANDBY kill -> first request served by the standby, %d kills, %d worker: median %.1f ms,"
                + " all %s%n", KILLS, MEASURED_WORKERS, median, millis.stream().map(m -> String.format("%.1f", m)).toList());
        assertThat(median).as("median kill -> served, ms").isLessThan(MEDIAN_BOUND_MILLIS);
        assertThat(master.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).isEqualTo(KILLS);
    }

    @Test
    void aKillUnderPacedLoadFailsOnlyTheConnectionsTheDeadWorkerHeld() throws Exception {
        startWithStandby(WORKERS);
        int connections = 8;
        long periodNanos = TimeUnit.SECONDS.toNanos(1) * connections / 1_500; // about 1,500 requests/s in all
        long runNanos = TimeUnit.SECONDS.toNanos(4);
        AtomicLong served = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLongArray workerOf = new AtomicLongArray(connections);
        long start = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int connection = i;
            Thread t = new Thread(() -> pacedClient(connection, start, start + runNanos, periodNanos, workerOf,
                    served, failed), "standby-client-" + i);
            t.start();
            clients.add(t);
        }
        await("load running").atMost(Duration.ofSeconds(5)).until(() -> served.get() > 1_000);
        long victim = workerOf.get(0);
        long held = 0;
        for (int i = 0; i < connections; i++) {
            held += workerOf.get(i) == victim || workerOf.get(i) == 0 ? 1 : 0;
        }
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        for (Thread t : clients) {
            t.join(TimeUnit.NANOSECONDS.toMillis(runNanos) + 15_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("STANDBY paced load: %.0f requests/s offered over %.1f s, %d served, %d failed, "
                + "%d connection(s) held by the killed worker%n", connections * 1e9 / periodNanos, seconds,
                served.get(), failed.get(), held);
        assertThat(failed.get()).as("failed requests, against the connections the killed worker held")
                .isLessThanOrEqualTo(held);
        assertThat(served.get()).as("requests served").isGreaterThan(4_000);
        awaitStandby(WORKERS);
    }

    @Test
    void aHupUnderKeepAliveLoadSwapsTheStandbyInAndFailsNoRequest() throws Exception {
        startWithStandby(WORKERS);
        Set<Long> serving = servingPids(WORKERS);
        Set<Long> standby = new HashSet<>(master.workerPids());
        standby.removeAll(serving);
        assertThat(standby).hasSize(1);
        try (OperationsIT.KeepAliveLoad load = OperationsIT.KeepAliveLoad.start(master.port, 8)) {
            load.runUntil(Duration.ofSeconds(2));
            long hupAt = System.nanoTime();
            master.signal("HUP");
            await("every serving worker replaced, a standby again").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> serving.stream().noneMatch(
                            pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                            && master.readyWorkers() == WORKERS
                            && master.metric("prefork_workers{state=\"standby\"}") == 1.0);
            long rolledMillis = (System.nanoTime() - hupAt) / 1_000_000;
            load.runUntil(Duration.ofSeconds(6));
            load.stop();
            System.out.printf("STANDBY HUP under keep-alive load: %d requests, %d failed, roll %d ms%n", load.ok(),
                    load.failed(), rolledMillis);
            assertThat(load.failures()).as("failed requests during the HUP").isEmpty();
            assertThat(load.workerPidsSeen()).as("the standby served after the HUP").containsAll(standby);
        }
        assertThat(master.logText()).contains("swapping through the standbys", "takes slot");
    }

    /** One keep-alive client sending a GET every {@code periodNanos} until {@code endNanos}; reconnects on errors. */
    private void pacedClient(int connection, long startNanos, long endNanos, long periodNanos,
                             AtomicLongArray workerOf, AtomicLong served, AtomicLong failed) {
        KeepAliveConnection c = null;
        // Offset each client within the period, so the load is even rather than in bursts.
        long next = startNanos + periodNanos * connection / workerOf.length();
        while (next - endNanos < 0) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += periodNanos;
            try {
                c = KeepAliveConnection.countedGet(c, master.port, 5_000, connection, workerOf, served, failed);
            } catch (IOException e) {
                failed.incrementAndGet();
                c = null;
            }
        }
        if (c != null) {
            c.close();
        }
    }
}
