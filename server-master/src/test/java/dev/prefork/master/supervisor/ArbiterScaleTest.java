package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.control.ControlMessage;
import org.junit.jupiter.api.Test;

class ArbiterScaleTest {

    @Test
    void ttinAddsOneWorkerInTheNextSlot() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).build()).start();
        rig.bootAll();

        rig.signal(MasterSignal.TTIN);

        assertThat(rig.arbiter.desiredWorkers()).isEqualTo(3);
        assertThat(rig.live()).extracting(WorkerHandle::slot).containsExactly(0, 1, 2);
    }

    @Test
    void ttouDrainsTheNewestWorker() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(3).build()).start();
        rig.bootAll();

        rig.signal(MasterSignal.TTOU);

        WorkerHandle newest = rig.worker(3);
        assertThat(newest.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(newest).sent).containsExactly(new ControlMessage.Drain(0, 5000));
        assertThat(rig.worker(1).state()).isEqualTo(WorkerState.READY);
        rig.exit(newest, 0);
        assertThat(rig.live()).hasSize(2);
        assertThat(rig.launcher.count()).as("a drained worker is not replaced").isEqualTo(3);
    }

    @Test
    void ttouNeverGoesBelowOneWorker() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();
        rig.bootAll();

        rig.signal(MasterSignal.TTOU);

        assertThat(rig.arbiter.desiredWorkers()).isEqualTo(1);
        assertThat(rig.worker(1).state()).isEqualTo(WorkerState.READY);
    }

    @Test
    void aSlotFreedByTtouIsReusedByTheNextTtin() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(3).build()).start();
        rig.bootAll();
        rig.signal(MasterSignal.TTOU);
        rig.exit(rig.worker(3), 0);

        rig.signal(MasterSignal.TTIN);

        assertThat(rig.worker(4).slot()).isEqualTo(2);
    }

    @Test
    void withReusePortEachSlotGetsItsSocketsBeforeItsWorkerStarts() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).reusePort(true).build()).start();
        rig.bootAll();
        assertThat(rig.slots.open).isEqualTo(2);

        rig.signal(MasterSignal.TTIN);

        assertThat(rig.slots.open).isEqualTo(3);
        assertThat(rig.worker(3).slot()).isEqualTo(2);
    }

    @Test
    void withReusePortTtouDrainsTheHighestSlotAndClosesItsSockets() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(3).reusePort(true).build()).start();
        rig.bootAll();
        rig.exit(rig.worker(1), 137);
        rig.elapse(java.time.Duration.ofMillis(100));
        WorkerHandle newestInSlot0 = rig.worker(4);
        rig.ready(newestInSlot0);

        rig.signal(MasterSignal.TTOU);

        assertThat(rig.worker(3).state()).isEqualTo(WorkerState.DRAINING);
        assertThat(newestInSlot0.state()).isEqualTo(WorkerState.READY);
        assertThat(rig.slots.open).isEqualTo(2);
    }
}
