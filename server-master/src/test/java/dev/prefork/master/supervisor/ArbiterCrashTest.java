package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.MetricNames;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.os.Posix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArbiterCrashTest {

    private static ArbiterRig readyPool(int workers) {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(workers).build()).start();
        rig.bootAll();
        return rig;
    }

    @Test
    void aCrashedWorkerIsReplacedInItsSlotAfterTheFirstBackoffStep() {
        ArbiterRig rig = readyPool(2);
        WorkerHandle dead = rig.worker(1);

        rig.exit(dead, 134); // a JVM crash (SIGABRT) right after ready

        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(1);
        assertThat(rig.launcher.count()).isEqualTo(2);
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.launcher.count()).isEqualTo(3);
        WorkerHandle replacement = rig.worker(3);
        assertThat(replacement.slot()).isEqualTo(dead.slot());
        assertThat(rig.live()).extracting(WorkerHandle::id).containsExactly(2, 3);
        assertThat(rig.arbiter.isFinished()).isFalse();
    }

    @Test
    void repeatedCrashesGrowTheBackoffUpToItsCap() {
        ArbiterRig rig = readyPool(1);
        long[] expectedMillis = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000};
        for (long delay : expectedMillis) {
            WorkerHandle current = rig.live().get(0);
            if (current.state() != WorkerState.READY) {
                rig.ready(current);
            }
            int launchesBefore = rig.launcher.count();
            rig.exit(current, 1);
            assertThat(rig.backoff.delayNanos()).isEqualTo(Duration.ofMillis(delay).toNanos());

            rig.elapse(Duration.ofMillis(delay - 100));
            assertThat(rig.launcher.count()).as("no respawn before %d ms", delay).isEqualTo(launchesBefore);
            rig.elapse(Duration.ofMillis(100));
            assertThat(rig.launcher.count()).as("respawn at %d ms", delay).isEqualTo(launchesBefore + 1);
        }
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(expectedMillis.length);
    }

    @Test
    void workersDyingTogetherCountAsOneBackoffStep() {
        ArbiterRig rig = readyPool(4);
        for (WorkerHandle h : rig.live()) {
            h.process().onExit().complete(1);
        }
        rig.pump();

        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(4);
        assertThat(rig.backoff.step()).isEqualTo(1);
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.live()).hasSize(4);
    }

    @Test
    void aBootErrorExitHaltsTheMasterWithExitCode3() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        WorkerHandle good = rig.worker(1);
        rig.ready(good);
        WorkerHandle bad = rig.worker(2);
        rig.connect(bad);

        rig.exit(bad, ExitCodes.WORKER_BOOT_ERROR);

        assertHalted(rig, good, MetricNames.REASON_BOOT_FAILED);
    }

    @Test
    void bootFailedFromAWorkerHaltsTheMasterWithExitCode3() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        WorkerHandle good = rig.worker(1);
        rig.ready(good);
        WorkerHandle bad = rig.worker(2);
        rig.connect(bad);

        rig.message(bad, new ControlMessage.BootFailed("ClassNotFoundException: test.App"));

        assertThat(rig.link(bad).sent).contains(new ControlMessage.Stop());
        rig.exit(bad, ExitCodes.WORKER_BOOT_ERROR);
        assertHalted(rig, good, MetricNames.REASON_BOOT_FAILED);
    }

    @Test
    void aWorkerNotReadyWithinTheBootTimeoutHaltsTheMaster() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).bootTimeout(Duration.ofSeconds(2)).build()).start();
        WorkerHandle good = rig.worker(1);
        rig.ready(good);
        WorkerHandle slow = rig.worker(2);

        rig.elapse(Duration.ofMillis(1900));
        assertThat(rig.arbiter.isReady()).isTrue();
        rig.elapse(Duration.ofMillis(200));

        // Never connected, so it holds no sockets: SIGKILL at once.
        assertThat(rig.posix.signalsTo(slow.pid())).containsExactly(Posix.SIGKILL);
        rig.exit(slow, 137);
        assertHalted(rig, good, MetricNames.REASON_BOOT_FAILED);
    }

    @Test
    void anExitBeforeAnyWorkerWasEverReadyMeansTheWorkersCannotBoot() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();

        rig.exit(rig.worker(1), 1); // e.g. "Unrecognized VM option"

        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.BOOT_FAILURE);
        assertThat(rig.launcher.count()).isEqualTo(1);
    }

    @Test
    void aBootingWorkerKilledByASignalLaterIsACrashNotABootFailure() {
        ArbiterRig rig = readyPool(2);
        rig.exit(rig.worker(1), 137);
        rig.elapse(Duration.ofMillis(100));
        WorkerHandle booting = rig.worker(3);

        rig.exit(booting, 137);

        assertThat(rig.arbiter.isFinished()).isFalse();
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(2);
    }

    @Test
    void aWorkerThatCannotBeStartedIsRetriedWithBackoff() {
        ArbiterRig rig = readyPool(1);
        rig.launcher.failing = true;
        rig.exit(rig.worker(1), 1);
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.live()).isEmpty();
        assertThat(rig.backoff.step()).isEqualTo(2);

        rig.launcher.failing = false;
        rig.elapse(Duration.ofMillis(200));
        assertThat(rig.live()).hasSize(1);
    }

    /** The good worker got Stop, SIGKILL after 1 s, and once it is gone the master finishes with 3. */
    private static void assertHalted(ArbiterRig rig, WorkerHandle good, String reason) {
        assertThat(rig.restarts(reason)).isEqualTo(1);
        assertThat(rig.arbiter.isReady()).isFalse();
        assertThat(rig.link(good).sent).containsExactly(new ControlMessage.Stop());
        int launches = rig.launcher.count();
        rig.elapse(Duration.ofMillis(900));
        assertThat(rig.posix.signalsTo(good.pid())).isEmpty();
        rig.elapse(Duration.ofMillis(200));
        assertThat(rig.posix.signalsTo(good.pid())).containsExactly(Posix.SIGKILL);
        assertThat(rig.arbiter.isFinished()).isFalse();
        rig.exit(good, 137);
        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.BOOT_FAILURE);
        assertThat(rig.launcher.count()).as("nothing respawned").isEqualTo(launches);
    }

    @Test
    void readyWorkersKilledFromOutsideAreReplacedAtOnceWithoutABackoffStep() {
        ArbiterRig rig = readyPool(2);
        for (int kill = 0; kill < 5; kill++) {
            WorkerHandle victim = rig.live().get(0);
            int launchesBefore = rig.launcher.count();
            rig.exit(victim, 137);
            assertThat(rig.launcher.count()).as("respawned at once after kill %d", kill).isEqualTo(launchesBefore + 1);
            rig.ready(rig.live().get(rig.live().size() - 1));
            rig.elapse(Duration.ofMillis(500));
        }
        assertThat(rig.backoff.step()).isZero();
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(5);
    }
}
