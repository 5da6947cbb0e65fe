package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArbiterRollTest {

    @Test
    void hupReplacesEachWorkerOneAtATimeNewReadyBeforeOldDrains() {
        ServerConfig initial = ArbiterRig.config().workers(3).build();
        ArbiterRig rig = new ArbiterRig(initial).start();
        rig.bootAll();
        rig.reloader = () -> initial.toBuilder().maxRequests(500).build();
        List<WorkerHandle> old = rig.live();

        rig.signal(MasterSignal.HUP);

        for (int i = 0; i < old.size(); i++) {
            WorkerHandle oldOne = old.get(i);
            List<WorkerHandle> booting = rig.pool.where(h -> h.state().isBooting());
            assertThat(booting).as("one replacement at a time").hasSize(1);
            WorkerHandle replacement = booting.get(0);
            assertThat(replacement.slot()).isEqualTo(oldOne.slot());
            assertThat(rig.launcher.launches.get(rig.launcher.count() - 1).config().maxRequests()).isEqualTo(500);
            assertThat(oldOne.state()).as("old stays ready while the new one boots").isEqualTo(WorkerState.READY);
            assertThat(rig.capacityReady()).isEqualTo(3);

            rig.elapse(Duration.ofMillis(500));
            rig.ready(replacement);

            assertThat(oldOne.state()).isEqualTo(WorkerState.DRAINING);
            assertThat(rig.link(oldOne).sent).containsExactly(new ControlMessage.Drain(0, 5000));
            assertThat(rig.capacityReady()).as("capacity never below N").isEqualTo(3);
            rig.exit(oldOne, 0);
        }

        assertThat(rig.pool.where(h -> h.state().isBooting())).isEmpty();
        assertThat(rig.live()).hasSize(3).allMatch(h -> h.generation() == 1 && h.state() == WorkerState.READY);
        assertThat(rig.restarts(MetricNames.REASON_RELOAD)).isEqualTo(3);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isZero();
    }

    @Test
    void hupWithAnInvalidConfigurationKeepsTheOldWorkers() {
        ServerConfig initial = ArbiterRig.config().workers(1).maxRequests(7).build();
        ArbiterRig rig = new ArbiterRig(initial).start();
        rig.bootAll();
        rig.reloader = () -> {
            throw new ConfigException("--workers", "0", "is out of range; give a worker count from 1 to 1024");
        };

        rig.signal(MasterSignal.HUP);

        assertThat(rig.arbiter.config()).isEqualTo(initial);
        assertThat(rig.launcher.count()).as("no replacement spawned").isEqualTo(1);
        assertThat(rig.live()).hasSize(1).allMatch(h -> h.state() == WorkerState.READY);
        assertThat(rig.restarts(MetricNames.REASON_RELOAD)).isZero();
    }

    @Test
    void hupKeepsTheListenAddressesOfTheRunningMaster() {
        ServerConfig initial = ArbiterRig.config().workers(1).bind("127.0.0.1:8000").build();
        ArbiterRig rig = new ArbiterRig(initial).start();
        rig.reloader = () -> initial.toBuilder().binds(List.of()).bind("127.0.0.1:9999").workers(2).build();

        rig.signal(MasterSignal.HUP);

        assertThat(rig.arbiter.config().binds()).isEqualTo(initial.binds());
        assertThat(rig.arbiter.desiredWorkers()).isEqualTo(2);
    }

    @Test
    void aReplacementThatCrashesLeavesTheOldWorkerServingAndTheRollRetries() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();
        rig.bootAll();
        WorkerHandle old = rig.worker(1);
        rig.signal(MasterSignal.HUP);
        WorkerHandle first = rig.worker(2);

        rig.exit(first, 137);

        assertThat(old.state()).isEqualTo(WorkerState.READY);
        assertThat(rig.arbiter.isReady()).isTrue();
        rig.elapse(Duration.ofMillis(100));
        WorkerHandle second = rig.worker(3);
        assertThat(second.replacing()).isSameAs(old);
        rig.ready(second);
        assertThat(old.state()).isEqualTo(WorkerState.DRAINING);
    }

    @Test
    void anOldWorkerThatDiesDuringItsRollIsReplacedByTheBootingReplacementOnly() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();
        rig.bootAll();
        WorkerHandle old = rig.worker(1);
        rig.signal(MasterSignal.HUP);

        rig.exit(old, 137);
        rig.elapse(Duration.ofSeconds(1));

        assertThat(rig.launcher.count()).as("no extra spawn: the replacement takes its place").isEqualTo(2);
        assertThat(rig.worker(2).replacing()).isNull();
    }

    @Test
    void recycleRequestsAreServedOneAtATime() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(3).maxRequests(100).build()).start();
        rig.bootAll();
        WorkerHandle a = rig.worker(1);
        WorkerHandle b = rig.worker(2);

        rig.message(a, new ControlMessage.RecycleRequest(100));
        rig.message(b, new ControlMessage.RecycleRequest(100));

        assertThat(rig.launcher.count()).as("one recycle in flight").isEqualTo(4);
        WorkerHandle forA = rig.worker(4);
        assertThat(forA.replacing()).isSameAs(a);
        assertThat(forA.slot()).isEqualTo(a.slot());
        rig.elapse(Duration.ofSeconds(1));
        assertThat(rig.launcher.count()).isEqualTo(4);
        assertThat(a.state()).isEqualTo(WorkerState.READY);

        rig.ready(forA);
        assertThat(a.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.restarts(MetricNames.REASON_MAX_REQUESTS)).isEqualTo(1);
        WorkerHandle forB = rig.worker(5);
        assertThat(forB.replacing()).isSameAs(b);
        assertThat(b.state()).isEqualTo(WorkerState.READY);

        rig.ready(forB);
        assertThat(b.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.restarts(MetricNames.REASON_MAX_REQUESTS)).isEqualTo(2);
        assertThat(rig.capacityReady()).isEqualTo(3);
    }

    @Test
    void aSecondRecycleRequestFromTheSameWorkerIsNoSecondRecycle() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).maxRequests(100).build()).start();
        rig.bootAll();
        WorkerHandle a = rig.worker(1);

        rig.message(a, new ControlMessage.RecycleRequest(100));
        rig.message(a, new ControlMessage.RecycleRequest(101));
        rig.ready(rig.worker(2));

        assertThat(rig.launcher.count()).isEqualTo(2);
        assertThat(rig.restarts(MetricNames.REASON_MAX_REQUESTS)).isEqualTo(1);
    }
}
