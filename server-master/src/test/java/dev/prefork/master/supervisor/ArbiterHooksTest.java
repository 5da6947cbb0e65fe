package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.master.os.FakePosix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArbiterHooksTest {

    @Test
    void hooksFollowThePoolsLife() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        assertThat(rig.hookCalls).containsExactly("pre_fork 1 pid -1", "post_fork 1", "pre_fork 2 pid -1", "post_fork 2");
        rig.ready(rig.worker(1));
        assertThat(rig.hookCalls).as("not ready before the whole pool is").noneMatch(c -> c.startsWith("when_ready"));
        rig.ready(rig.worker(2));
        rig.bootAll();
        assertThat(rig.hookCalls).containsOnlyOnce("when_ready 2");
        assertThat(rig.readyMasterPid).as("the master's pid as Posix gave it").isEqualTo(FakePosix.MASTER_PID);

        rig.hookCalls.clear();
        rig.signal(MasterSignal.TTIN);
        rig.bootAll();
        rig.signal(MasterSignal.TTOU);
        rig.signal(MasterSignal.TTOU);
        rig.signal(MasterSignal.TTOU);
        assertThat(rig.hookCalls).containsSubsequence("nworkers_changed 2->3", "pre_fork 3 pid -1", "post_fork 3",
                "nworkers_changed 3->2", "nworkers_changed 2->1");
        assertThat(rig.hookCalls).as("never below 1").doesNotContain("nworkers_changed 1->0");
        assertThat(rig.hookCalls.stream().filter(c -> c.startsWith("when_ready"))).isEmpty();

        rig.hookCalls.clear();
        WorkerHandle drained = rig.live().stream().filter(h -> h.state() == WorkerState.DRAINING).findFirst()
                .orElseThrow();
        rig.exit(drained, 0);
        WorkerHandle crashing = rig.live().stream().filter(h -> h.state() == WorkerState.READY).findFirst()
                .orElseThrow();
        rig.exit(crashing, 137);
        assertThat(rig.hookCalls).contains("worker_exit " + drained.id() + " code 0 expected",
                "worker_exit " + crashing.id() + " code 137 crash");

        rig.hookCalls.clear();
        rig.signal(MasterSignal.HUP);
        assertThat(rig.hookCalls).startsWith("on_reload 1");
    }

    @Test
    void aHookThatThrowsIsLoggedAndTheMasterCarriesOn() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build());
        rig.hooksThrow = true;
        rig.start();
        rig.bootAll();
        assertThat(rig.live()).hasSize(2).allMatch(h -> h.state() == WorkerState.READY);
        assertThat(rig.arbiter.isReady()).isTrue();
        rig.signal(MasterSignal.TTIN);
        rig.bootAll();
        rig.signal(MasterSignal.HUP);
        rig.exit(rig.worker(1), 137);
        assertThat(rig.hookCalls).contains("when_ready 2", "nworkers_changed 2->3", "on_reload 1",
                "worker_exit 1 code 137 crash");
        assertThat(rig.arbiter.isFinished()).isFalse();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void termClosesTheMastersListenersWhenTheDrainDelayEnds() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).drainDelay(Duration.ofSeconds(2)).build())
                .start();
        rig.bootAll();
        rig.signal(MasterSignal.TERM);
        rig.elapse(Duration.ofMillis(1_900));
        assertThat(rig.listenerCloses).as("still accepting during the drain delay").hasValue(0);
        rig.elapse(Duration.ofMillis(200));
        assertThat(rig.listenerCloses).hasValue(1);
        rig.elapse(Duration.ofSeconds(1));
        assertThat(rig.listenerCloses).as("once").hasValue(1);
    }

    @Test
    void termWithoutDrainDelayClosesTheListenersAtOnceAndReloadNeverDoes() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        rig.bootAll();
        rig.signal(MasterSignal.HUP);
        rig.bootAll();
        rig.signal(MasterSignal.TTOU);
        assertThat(rig.listenerCloses).hasValue(0);
        rig.signal(MasterSignal.TERM);
        assertThat(rig.listenerCloses).hasValue(1);
    }
}
