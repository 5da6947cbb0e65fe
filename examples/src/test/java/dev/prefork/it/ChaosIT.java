package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Chaos: bounded keep-alive load while a random serving worker is SIGKILLed at a fixed interval. The master survives,
 * the pool heals, only connections a killed worker held fail, no zombie is left, and the master's fds and heap
 * after GC stay flat. {@code bench/chaos} runs the same test longer: {@code -Dchaos.kills=120
 * -Dchaos.intervalMillis=2000}.
 */
class ChaosIT {
    private static final int WORKERS = Integer.getInteger("chaos.workers", 3);
    private static final int CONNECTIONS = Integer.getInteger("chaos.connections", 8);
    private static final int KILLS = Integer.getInteger("chaos.kills", 24);
    private static final long INTERVAL_MILLIS = Long.getLong("chaos.intervalMillis", 1500);
    /** Kills before the baseline is taken: the first deaths create what every later death reuses. */
    private static final int WARM_UP_KILLS = 3;
    private static final int FD_TOLERANCE = 3;
    private static final long HEAP_TOLERANCE_KIB = 4096;

    private MasterProcess master;
    private final AtomicBoolean loadRunning = new AtomicBoolean(true);
    private final List<Thread> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        loadRunning.set(false);
        for (Thread t : clients) {
            t.join(15_000);
        }
        if (master != null) {
            master.close();
        }
    }

    @Test
    void theMasterSurvivesRandomWorkerKillsUnderLoadAndStaysFlat() throws Exception {
        master = MasterProcess.start("--workers", Integer.toString(WORKERS)).awaitReady(WORKERS);
        AtomicLong served = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong socketErrors = new AtomicLong();
        // Which worker answered each connection's last response; 0 while (re)connecting: unknown.
        AtomicLongArray workerOf = new AtomicLongArray(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            int connection = i;
            Thread t = new Thread(() -> load(connection, workerOf, served, failed, socketErrors), "chaos-client-" + i);
            t.start();
            clients.add(t);
        }

        SplittableRandom random = new SplittableRandom(42);
        long allowedErrors = 0;
        int fdBefore = 0;
        long heapBefore = 0;
        long started = System.nanoTime();
        for (int kill = 1; kill <= KILLS; kill++) {
            if (kill == WARM_UP_KILLS + 1) {
                master.awaitReady(WORKERS);
                // Heap first: jcmd's first attach opens the attach listener's socket in the master, for good.
                heapBefore = master.heapAfterGcKib();
                fdBefore = master.openFds();
            }
            int k = kill;
            List<Long> serving = await("a serving worker to kill (kill " + k + ")").atMost(Duration.ofSeconds(30))
                    .until(() -> servingWorkers(workerOf), pids -> !pids.isEmpty());
            long victim = serving.get(random.nextInt(serving.size()));
            allowedErrors += heldBy(victim, workerOf);
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            Thread.sleep(INTERVAL_MILLIS);
            master.assertAlive();
        }
        double chaosSeconds = (System.nanoTime() - started) / 1e9;

        master.awaitReady(WORKERS);
        long servedAtHeal = served.get();
        await("load continues on the healed pool").atMost(Duration.ofSeconds(10))
                .until(() -> served.get() > servedAtHeal + 100);
        loadRunning.set(false);
        for (Thread t : clients) {
            t.join(15_000);
        }
        await("no zombie children left").atMost(Duration.ofSeconds(10)).until(() ->
                master.zombieChildren().isEmpty() && master.metric("prefork_zombies") == 0.0);
        int fdAfter = master.openFds();
        long heapAfter = master.heapAfterGcKib();
        double crashed = master.metric("prefork_worker_restarts_total{reason=\"crashed\"}");

        System.out.printf("CHAOS kills=%d in %.1f s workers=%d connections=%d served=%d failed=%d socketErrors=%d"
                        + " allowedErrors=%d restartsCrashed=%.0f masterFds before=%d after=%d"
                        + " masterHeapAfterGcKiB before=%d after=%d%n",
                KILLS, chaosSeconds, WORKERS, CONNECTIONS, served.get(), failed.get(), socketErrors.get(),
                allowedErrors, crashed, fdBefore, fdAfter, heapBefore, heapAfter);

        master.assertAlive();
        assertThat(crashed).as("every kill counted as crashed").isGreaterThanOrEqualTo(KILLS);
        assertThat(failed.get()).as("non-200 answers").isZero();
        assertThat(socketErrors.get()).as("socket errors, against connections the killed workers held")
                .isLessThanOrEqualTo(allowedErrors);
        assertThat(served.get()).as("requests served").isGreaterThan(1000);
        assertThat(fdAfter).as("master fds after %d deaths", KILLS).isLessThanOrEqualTo(fdBefore + FD_TOLERANCE);
        assertThat(heapAfter).as("master heap after GC, KiB").isLessThanOrEqualTo(heapBefore + HEAP_TOLERANCE_KIB);
    }

    /**
     * Live workers that answered a connection's last request. Only serving workers are killed: killing workers
     * that are still booting, again and again, is what a crash loop looks like, and the master backs off then.
     */
    private List<Long> servingWorkers(AtomicLongArray workerOf) {
        java.util.Set<Long> children = master.workerPids();
        java.util.TreeSet<Long> serving = new java.util.TreeSet<>();
        for (int i = 0; i < workerOf.length(); i++) {
            long pid = workerOf.get(i);
            if (pid != 0 && children.contains(pid)) {
                serving.add(pid);
            }
        }
        return new ArrayList<>(serving);
    }

    /** Connections whose worker is the victim, plus those in between (their worker is not known yet). */
    private static long heldBy(long victim, AtomicLongArray workerOf) {
        long held = 0;
        for (int i = 0; i < workerOf.length(); i++) {
            long pid = workerOf.get(i);
            if (pid == victim || pid == 0) {
                held++;
            }
        }
        return held;
    }

    /** One keep-alive client: requests in turn, reconnecting after a socket error; lightly paced. */
    private void load(int connection, AtomicLongArray workerOf, AtomicLong served, AtomicLong failed,
                      AtomicLong socketErrors) {
        KeepAliveConnection c = null;
        while (loadRunning.get()) {
            try {
                c = KeepAliveConnection.countedGet(c, master.port, 15_000, connection, workerOf, served, failed);
                Thread.sleep(1);
            } catch (IOException e) {
                if (loadRunning.get()) {
                    socketErrors.incrementAndGet();
                }
                c = null;
            } catch (InterruptedException e) {
                break;
            }
        }
        if (c != null) {
            c.close();
        }
    }
}
