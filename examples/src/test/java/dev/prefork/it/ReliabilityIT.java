package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Faults the master must contain: crash loops, its own death, orphaned grandchildren, workers out of memory. */
class ReliabilityIT {
    private static final Pattern STEP = Pattern.compile(
            "exited unexpectedly with code 1 while READY; respawning after (\\d+) ms \\(crash backoff step (\\d+), cap 10000 ms\\)");

    private MasterProcess master;

    @AfterEach
    void killEverything() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void aCrashLoopIsRespawnedWithADoublingBackoffLoggedOncePerStep() throws Exception {
        master = MasterProcess.startMainWithTestClasses("--workers", "2", "dev.prefork.it.apps.CrashLoopApp");
        List<Integer> readyz = new ArrayList<>();
        List<Integer> readyGauge = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                readyz.add(master.adminStatus("/readyz"));
                readyGauge.add(master.readyWorkers());
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "readyz-sampler");
        sampler.start();
        try {
            await("five backoff steps").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        master.assertAlive();
                        return steps(master.logText()).size() >= 5;
                    });
        } finally {
            sampling.set(false);
            sampler.join(5_000);
        }
        String log = master.logText();
        List<long[]> steps = steps(log);
        for (int i = 0; i < 5; i++) {
            assertThat(steps.get(i)[1]).as("step number of line %d", i).isEqualTo(i + 1);
            assertThat(steps.get(i)[0]).as("delay of step %d", i + 1).isEqualTo(100L << i);
        }
        double deaths = master.metric("prefork_worker_restarts_total{reason=\"crashed\"}");
        long reasonLines = log.lines()
                .filter(l -> l.contains("WARN") && l.contains("exited unexpectedly with code 1")).count();
        System.out.printf("CRASH LOOP deaths=%.0f reasonLines=%d steps=%d readyzSamples=%d%n",
                deaths, reasonLines, steps.size(), readyz.size());
        // Every line naming the reason is a backoff step line: none per death.
        assertThat(reasonLines).as("lines naming the reason, for %s deaths", deaths).isEqualTo(steps.size());
        assertThat(deaths).isGreaterThanOrEqualTo(steps.size());
        // Both workers die, then wait out the delay: readiness follows the capacity, down and up again.
        assertThat(readyz).contains(200, 503);
        for (int i = 0; i < readyz.size(); i++) {
            if (readyz.get(i) == 503) {
                assertThat(readyGauge.subList(Math.max(0, i - 1), Math.min(readyGauge.size(), i + 2)))
                        .as("ready workers around a 503 from /readyz").contains(0);
            }
        }
        master.assertAlive();
    }

    /** (delay ms, step) of each backoff line in the log, in order. */
    private static List<long[]> steps(String log) {
        List<long[]> steps = new ArrayList<>();
        Matcher m = STEP.matcher(log);
        while (m.find()) {
            steps.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return steps;
    }

    @Test
    void aKilledMasterTakesEveryWorkerDownWithinOneSecondAndFreesThePort() throws Exception {
        master = MasterProcess.start("--workers", "2").awaitReady(2);
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
        Set<ProcessHandle> workers = master.seenDescendants();
        assertThat(workers).hasSizeGreaterThanOrEqualTo(2);

        long killedAt = System.nanoTime();
        master.process.destroyForcibly();
        // Exited, not necessarily reaped: the orphans' new parent (PID 1 here) reaps them on its own schedule.
        await("every worker exits").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> workers.stream().allMatch(MasterProcess::hasExited));
        long exitMillis = (System.nanoTime() - killedAt) / 1_000_000;
        // A restarted master binds with SO_REUSEADDR too. An exiting process shows as a zombie a moment before its
        // last thread has released its file table, so poll the bind briefly.
        await("port " + master.port + " free").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .ignoreExceptions().until(() -> {
                    try (ServerSocket again = new ServerSocket()) {
                        again.setReuseAddress(true);
                        again.bind(new InetSocketAddress("127.0.0.1", master.port));
                        return true;
                    }
                });
        long freeMillis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("MASTER KILLED: all %d workers gone %d ms after SIGKILL, port free after %d ms%n",
                workers.size(), exitMillis, freeMillis);
    }

    @Test
    void orphanedGrandchildrenAreReapedByTheSubreaperMaster() throws Exception {
        master = MasterProcess.startMainWithTestClasses("--workers", "1", "dev.prefork.it.apps.OrphanApp").awaitReady(1);
        int orphans = 5;
        for (int i = 0; i < orphans; i++) {
            RawHttp.Response r = RawHttp.get(master.port, "/orphan");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("shell exited 0");
        }
        await("orphans reaped").atMost(Duration.ofSeconds(10)).until(() ->
                master.metric("prefork_zombies_reaped_total") >= orphans);
        await("no zombie left").atMost(Duration.ofSeconds(10)).until(() ->
                master.metric("prefork_zombies") == 0.0 && master.zombieChildren().isEmpty());
        System.out.printf("ORPHANS spawned=%d reaped=%.0f%n", orphans, master.metric("prefork_zombies_reaped_total"));
        assertThat(master.logText()).contains("reaped orphan pid");
        assertThat(master.readyWorkers()).isEqualTo(1);
    }

    @Test
    void aWorkerOutOfMemoryExitsAndIsReplacedAsCrashed() throws Exception {
        master = MasterProcess.startMainWithTestClasses("--workers", "1", "dev.prefork.it.apps.OomApp").awaitReady(1);
        long victim = RawHttp.get(master.port, "/").workerPid();
        try {
            RawHttp.get(master.port, "/oom", 30_000);
        } catch (IOException expected) {
            // the worker exits mid-request
        }
        await("replacement ready").atMost(Duration.ofSeconds(30)).until(() -> {
            master.assertAlive();
            return ProcessHandle.of(victim).isEmpty() && master.readyWorkers() == 1;
        });
        assertThat(master.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).isEqualTo(1.0);
        assertThat(master.logText()).contains("Terminating due to java.lang.OutOfMemoryError")
                .containsPattern("pid " + victim + " exited unexpectedly with code 3");
        assertThat(RawHttp.get(master.port, "/").workerPid()).isNotEqualTo(victim);
    }
}
