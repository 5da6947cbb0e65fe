package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.os.Posix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArbiterStopTest {

    private static ArbiterRig readyPool(ArbiterRig rig) {
        rig.start();
        rig.bootAll();
        return rig;
    }

    @Test
    void termDrainsEveryWorkerRespawnsNothingAndKillsTheRestAtTheDeadline() {
        ArbiterRig rig = readyPool(new ArbiterRig(ArbiterRig.config().workers(3)
                .drainDelay(Duration.ofSeconds(2)).gracefulTimeout(Duration.ofSeconds(5)).build()));
        WorkerHandle quick = rig.worker(1);
        WorkerHandle slow = rig.worker(2);
        WorkerHandle stuck = rig.worker(3);

        rig.signal(MasterSignal.TERM);

        assertThat(rig.arbiter.isReady()).as("readiness off at once").isFalse();
        for (WorkerHandle h : rig.live()) {
            assertThat(rig.link(h).sent).as("one deadline: delay + graceful timeout")
                    .containsExactly(new ControlMessage.Drain(2000, 7000));
            assertThat(h.state()).isEqualTo(WorkerState.DRAINING);
        }
        assertThat(rig.gauge(MetricNames.STATE_DRAINING)).isEqualTo(3);

        rig.elapse(Duration.ofSeconds(1));
        rig.exit(quick, 0);
        rig.elapse(Duration.ofSeconds(3));
        rig.exit(slow, 0);
        assertThat(rig.launcher.count()).as("nothing respawned").isEqualTo(3);
        rig.elapse(Duration.ofMillis(2900));
        assertThat(rig.posix.kills).as("no SIGKILL before drain delay + graceful timeout").isEmpty();

        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.posix.signalsTo(stuck.pid())).containsExactly(Posix.SIGKILL);
        assertThat(rig.arbiter.isFinished()).isFalse();
        rig.exit(stuck, 137);

        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isZero();
    }

    /**
     * Issue 12, defect 1: after a HUP that changes the budget, a worker started under the old configuration
     * drains on the new one, the same deadline at which the master kills it (the worker used to carry its
     * graceful timeout in argv from its spawn).
     */
    @Test
    void termAfterAHupDrainsOldWorkersOnTheNewBudgetTheMasterKillsAt() {
        ServerConfig initial = ArbiterRig.config().workers(1).gracefulTimeout(Duration.ofSeconds(5)).build();
        ArbiterRig rig = readyPool(new ArbiterRig(initial));
        WorkerHandle old = rig.worker(1);
        rig.reloader = () -> initial.toBuilder().drainDelay(Duration.ofSeconds(1))
                .gracefulTimeout(Duration.ofSeconds(9)).build();
        rig.signal(MasterSignal.HUP);
        assertThat(old.state()).as("still serving while its replacement boots").isEqualTo(WorkerState.READY);

        rig.signal(MasterSignal.TERM);

        assertThat(rig.link(old).sent).containsExactly(new ControlMessage.Drain(1000, 10_000));
        rig.elapse(Duration.ofMillis(9900));
        assertThat(rig.posix.signalsTo(old.pid())).isEmpty();
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.posix.signalsTo(old.pid())).containsExactly(Posix.SIGKILL);
    }

    @Test
    void termKillsWorkersThatHaveNotConnectedYet() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        rig.ready(rig.worker(1));
        WorkerHandle booting = rig.worker(2);

        rig.signal(MasterSignal.TERM);

        assertThat(rig.posix.signalsTo(booting.pid())).containsExactly(Posix.SIGKILL);
        assertThat(rig.link(rig.worker(1)).sent).containsExactly(new ControlMessage.Drain(0, 5000));
    }

    @Test
    void aWorkerConnectingAfterTermIsToldToStop() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();
        WorkerHandle late = rig.worker(1);
        rig.signal(MasterSignal.TERM);

        FakeLink link = rig.connect(late);

        assertThat(link.sent).containsExactly(new ControlMessage.Stop());
        assertThat(late.state()).isEqualTo(WorkerState.DRAINING);
    }

    @Test
    void intStopsEveryWorkerNowAndKillsAfterOneSecond() {
        ArbiterRig rig = readyPool(new ArbiterRig(ArbiterRig.config().workers(2).build()));

        rig.signal(MasterSignal.INT);

        assertThat(rig.arbiter.isReady()).isFalse();
        for (WorkerHandle h : rig.live()) {
            assertThat(rig.link(h).sent).containsExactly(new ControlMessage.Stop());
        }
        rig.exit(rig.worker(1), 0);
        rig.elapse(Duration.ofMillis(900));
        assertThat(rig.posix.kills).isEmpty();
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.posix.signalsTo(rig.worker(2).pid())).containsExactly(Posix.SIGKILL);
        rig.exit(rig.worker(2), 137);

        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void intDuringAGracefulStopEscalatesToAFastStop() {
        ArbiterRig rig = readyPool(new ArbiterRig(ArbiterRig.config().workers(1).build()));
        WorkerHandle w = rig.worker(1);
        rig.signal(MasterSignal.TERM);

        rig.signal(MasterSignal.INT);

        assertThat(rig.link(w).sent).containsExactly(new ControlMessage.Drain(0, 5000), new ControlMessage.Stop());
        rig.elapse(Duration.ofSeconds(1));
        assertThat(rig.posix.signalsTo(w.pid())).containsExactly(Posix.SIGKILL);
    }

    @Test
    void signalsThatChangeThePoolAreIgnoredWhileStopping() {
        ArbiterRig rig = readyPool(new ArbiterRig(ArbiterRig.config().workers(1).build()));
        rig.signal(MasterSignal.TERM);

        rig.signal(MasterSignal.TTIN);
        rig.signal(MasterSignal.HUP);
        rig.exit(rig.worker(1), 0);

        assertThat(rig.launcher.count()).isEqualTo(1);
        assertThat(rig.arbiter.isFinished()).isTrue();
    }

    @Test
    void theMasterStopsWaitingForWorkersThatNeverReportTheirExit() {
        ArbiterRig rig = readyPool(new ArbiterRig(ArbiterRig.config().workers(1).build()));
        rig.signal(MasterSignal.INT);

        rig.elapse(Duration.ofSeconds(5));
        assertThat(rig.arbiter.isFinished()).isFalse();
        rig.elapse(Duration.ofSeconds(2));

        assertThat(rig.arbiter.isFinished()).isTrue();
    }
}
