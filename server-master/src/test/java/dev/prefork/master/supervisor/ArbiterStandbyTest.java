package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.os.Posix;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --standby N}: booted workers that take a slot at once, and what they do in rolls, scaling and stops. */
class ArbiterStandbyTest {

    private static ArbiterRig booted(ServerConfig config) {
        ArbiterRig rig = new ArbiterRig(config).start();
        rig.bootAll();
        return rig;
    }

    private static ServerConfig.Builder standby(int workers, int standbys) {
        return ArbiterRig.config().workers(workers).standby(standbys);
    }

    @Test
    void standbysBootOnceTheServingWorkersAreReadyAndCountOnlyAsStandby() {
        ArbiterRig rig = new ArbiterRig(standby(2, 1).build()).start();

        assertThat(rig.launcher.count()).as("serving workers first").isEqualTo(2);
        rig.ready(rig.worker(1));
        rig.ready(rig.worker(2));
        WorkerHandle spare = rig.worker(3);
        assertThat(spare.isStandby()).isTrue();
        assertThat(spare.slot()).isEqualTo(WorkerHandle.NO_SLOT);
        assertThat(rig.launcher.launches.get(2).settings().standbySocketGroups()).isEqualTo(1);
        assertThat(rig.gauge(MetricNames.STATE_BOOTING)).isEqualTo(1);

        rig.standBy(spare);

        assertThat(spare.state()).isEqualTo(WorkerState.STANDBY);
        assertThat(rig.gauge(MetricNames.STATE_STANDBY)).isEqualTo(1);
        assertThat(rig.gauge(MetricNames.STATE_READY)).isEqualTo(2);
        assertThat(rig.gauge(MetricNames.STATE_BOOTING)).isZero();
        assertThat(rig.capacityReady()).isEqualTo(2);
        assertThat(rig.link(spare).sent).as("a standby is told nothing while it waits").isEmpty();
        rig.elapse(Duration.ofSeconds(1));
        assertThat(rig.launcher.count()).as("no more spawns").isEqualTo(3);
    }

    @Test
    void aCrashedWorkersSlotGoesToTheStandbyAtOnceAndANewStandbyBoots() {
        ArbiterRig rig = booted(standby(2, 1).build());
        WorkerHandle spare = rig.worker(3);

        rig.exit(rig.worker(1), 137);

        assertThat(spare.state()).isEqualTo(WorkerState.READY);
        assertThat(spare.isStandby()).isFalse();
        assertThat(spare.slot()).isZero();
        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Activate(0, 0));
        assertThat(rig.capacityReady()).as("full capacity without waiting for a boot").isEqualTo(2);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(1);
        assertThat(rig.launcher.count()).as("the next standby waits, not to slow the activated one").isEqualTo(3);
        rig.elapse(Duration.ofNanos(PoolPlanner.STANDBY_REFILL_DELAY_NANOS));
        WorkerHandle next = rig.worker(4);
        assertThat(next.isStandby()).as("the new process is the next standby").isTrue();
        assertThat(rig.launcher.count()).isEqualTo(4);
        rig.standBy(next);
        assertThat(rig.standbys()).containsExactly(next);
    }

    @Test
    void withReusePortTheStandbyGetsEverySlotsSocketsAndServesTheSlotItTakes() {
        ArbiterRig rig = booted(standby(3, 1).reusePort(true).build());
        WorkerHandle spare = rig.worker(4);
        assertThat(spare.socketGroups()).isEqualTo(3);
        assertThat(rig.launcher.launches.get(3).settings().socketCount()).as("1 address x 3 slots").isEqualTo(3);

        rig.exit(rig.worker(2), 137);

        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Activate(1, 1));
        assertThat(spare.slot()).isEqualTo(1);
    }

    @Test
    void aRecycledWorkerIsSwappedForTheStandbyAndDrainsAtOnce() {
        ArbiterRig rig = booted(standby(2, 1).maxRequests(100).build());
        WorkerHandle old = rig.worker(1);
        WorkerHandle spare = rig.worker(3);

        rig.message(old, new ControlMessage.RecycleRequest(100));

        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Activate(old.slot(), 0));
        assertThat(old.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(old).sent).containsExactly(new ControlMessage.Drain(0, 5000));
        assertThat(rig.restarts(MetricNames.REASON_MAX_REQUESTS)).isEqualTo(1);
        assertThat(rig.capacityReady()).isEqualTo(2);
        assertThat(rig.pool.where(h -> h.replacing() != null)).as("no replacement boot").isEmpty();
        assertThat(rig.worker(4).isStandby()).as("the next standby").isTrue();
    }

    @Test
    void aWorkerOverItsMemoryLimitIsSwappedForTheStandbyLikeARecycle(@org.junit.jupiter.api.io.TempDir
                                                                     java.nio.file.Path dir) throws Exception {
        ArbiterRig rig = booted(standby(2, 1).maxWorkerRss(100L << 20).build());
        WorkerHandle old = rig.worker(1);
        WorkerHandle spare = rig.worker(3);
        java.nio.file.Path file = dir.resolve("worker-1.seg");
        old.segment(new dev.prefork.core.segment.SegmentReader(
                dev.prefork.core.segment.WorkerSegment.create(file, 1), 1, old.pid()));
        dev.prefork.core.segment.WorkerSegment.attach(file, 1, old.pid()).buffer()
                .putLongVolatile(dev.prefork.core.segment.SegmentField.RSS_BYTES.offset(), 200L << 20);

        rig.elapse(Duration.ofSeconds(1));

        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Activate(old.slot(), 0));
        assertThat(old.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.restarts(MetricNames.REASON_MEMORY)).isEqualTo(1);
        assertThat(rig.restarts(MetricNames.REASON_MAX_REQUESTS)).isZero();
        assertThat(rig.capacityReady()).isEqualTo(2);
        assertThat(rig.pool.where(h -> h.replacing() != null)).as("no replacement boot").isEmpty();
        rig.elapse(Duration.ofNanos(PoolPlanner.STANDBY_REFILL_DELAY_NANOS));
        assertThat(rig.worker(4).isStandby()).as("the next standby").isTrue();
    }

    @Test
    void aHupThatKeepsTheConfigurationSwapsThroughTheStandbysThenRefillsThemNeverBelowCapacity() {
        ServerConfig config = standby(4, 2).build();
        ArbiterRig rig = booted(config);
        List<WorkerHandle> old = rig.pool.where(WorkerHandle::isCapacity);
        List<WorkerHandle> spares = rig.standbys();
        assertThat(spares).hasSize(2);

        rig.signal(MasterSignal.HUP);

        assertThat(spares).as("both swapped in at once").allMatch(h -> h.state() == WorkerState.READY
                && h.generation() == 1 && !h.isStandby());
        assertThat(old.subList(0, 2)).allMatch(h -> h.state() == WorkerState.DRAINING);
        assertThat(rig.pool.where(h -> h.state().isBooting())).as("then one replacement at a time, no standby yet")
                .hasSize(1).allMatch(h -> !h.isStandby() && h.replacing() == old.get(2));
        for (int step = 0; step < 10 && old.stream().anyMatch(WorkerHandle::isCapacity); step++) {
            assertThat(rig.capacityReady()).as("capacity never below N").isEqualTo(4);
            rig.elapse(Duration.ofMillis(300));
            for (WorkerHandle h : rig.pool.where(w -> w.state().isBooting())) {
                assertThat(h.isStandby()).as("no standby boots during the roll").isFalse();
                rig.ready(h);
                assertThat(rig.capacityReady()).as("capacity never below N").isEqualTo(4);
            }
        }

        assertThat(old).allMatch(h -> h.state() == WorkerState.DRAINING);
        assertThat(rig.pool.where(WorkerHandle::isCapacity)).hasSize(4)
                .allMatch(h -> h.generation() == 1 && h.state() == WorkerState.READY);
        assertThat(rig.restarts(MetricNames.REASON_RELOAD)).isEqualTo(4);
        assertThat(rig.launcher.count()).as("4 + 2 at start, 2 replacements, 2 new standbys").isEqualTo(10);
        assertThat(rig.standbys()).as("refilled after the roll").hasSize(2).allMatch(WorkerHandle::isStandby);
    }

    @Test
    void aHupThatChangesTheConfigurationReplacesTheOldStandbysFirstAndNeverActivatesThem() {
        ServerConfig initial = standby(2, 1).build();
        ArbiterRig rig = booted(initial);
        WorkerHandle oldSpare = rig.worker(3);
        rig.reloader = () -> initial.toBuilder().maxRequests(500).build();

        rig.signal(MasterSignal.HUP);

        assertThat(oldSpare.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(oldSpare).sent).containsExactly(new ControlMessage.Drain(0, 5000));
        List<WorkerHandle> spawned = rig.pool.where(h -> h.id() > 3);
        assertThat(spawned).as("the roll's first replacement; the new standby boots after the roll").hasSize(1);
        assertThat(spawned).allMatch(h -> h.config().maxRequests() == 500 && !h.isStandby());

        rig.bootAll();
        rig.exit(oldSpare, 0);
        rig.elapse(Duration.ofSeconds(1));
        rig.bootAll();

        assertThat(rig.pool.where(WorkerHandle::isCapacity)).hasSize(2)
                .allMatch(h -> h.generation() == 1 && h.config().maxRequests() == 500);
        assertThat(rig.standbys()).hasSize(1).allMatch(h -> h.config().maxRequests() == 500);
        assertThat(rig.restarts(MetricNames.REASON_RELOAD)).isEqualTo(2);
    }

    @Test
    void aHupAfterADeployThatReplacedTheJarReplacesTheStandbysInsteadOfSwappingThemIn() {
        ArbiterRig rig = booted(standby(2, 1).build());
        WorkerHandle oldCode = rig.worker(3);
        rig.launcher.codeVersion = "v2";
        rig.elapse(Duration.ofSeconds(1));
        assertThat(oldCode.state()).as("no HUP yet: nothing changes").isEqualTo(WorkerState.STANDBY);

        rig.signal(MasterSignal.HUP);

        assertThat(oldCode.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(oldCode).sent).containsExactly(new ControlMessage.Drain(0, 5000));
        rig.bootAll();
        assertThat(rig.pool.where(WorkerHandle::isCapacity)).hasSize(2).allMatch(h -> h.generation() == 1);
        assertThat(rig.standbys()).as("its replacement, after the roll").hasSize(1)
                .allMatch(h -> h.codeVersion().equals("v2"));
    }

    @Test
    void ttinActivatesTheStandbyInTheNewSlotAndTtouLeavesStandbysAlone() {
        ArbiterRig rig = booted(standby(2, 1).build());
        WorkerHandle spare = rig.worker(3);

        rig.signal(MasterSignal.TTIN);

        assertThat(spare.state()).isEqualTo(WorkerState.READY);
        assertThat(spare.slot()).isEqualTo(2);
        assertThat(rig.capacityReady()).isEqualTo(3);
        rig.elapse(Duration.ofNanos(PoolPlanner.STANDBY_REFILL_DELAY_NANOS));
        WorkerHandle next = rig.worker(4);
        assertThat(next.isStandby()).isTrue();
        rig.standBy(next);

        rig.signal(MasterSignal.TTOU);

        assertThat(spare.state()).as("the newest serving worker drains").isEqualTo(WorkerState.DRAINING);
        assertThat(next.state()).isEqualTo(WorkerState.STANDBY);
        assertThat(rig.link(next).sent).isEmpty();
        assertThat(rig.capacityReady()).isEqualTo(2);
    }

    @Test
    void withReusePortAStandbyHoldingOtherSlotsIsReplacedAfterTtinAndTtou() {
        ArbiterRig rig = booted(standby(2, 1).reusePort(true).build());
        WorkerHandle spare = rig.worker(3);

        rig.signal(MasterSignal.TTIN);

        assertThat(rig.link(spare).sent).as("it has no socket for slot 2").doesNotContain(new ControlMessage.Activate(2, 2));
        WorkerHandle slot2 = rig.worker(4);
        assertThat(slot2.slot()).isEqualTo(2);
        rig.ready(slot2);
        assertThat(spare.state()).isEqualTo(WorkerState.DRAINING);
        WorkerHandle threeSlots = rig.worker(5);
        assertThat(threeSlots.socketGroups()).isEqualTo(3);
        rig.standBy(threeSlots);

        rig.signal(MasterSignal.TTOU);

        assertThat(rig.slots.open).isEqualTo(2);
        assertThat(threeSlots.state()).as("it would keep slot 2's closed socket open").isEqualTo(WorkerState.DRAINING);
        assertThat(rig.worker(6).socketGroups()).isEqualTo(2);
    }

    @Test
    void termDrainsTheStandbysWithTheWorkersAndIntStopsThem() {
        ArbiterRig rig = booted(standby(2, 1).build());
        WorkerHandle spare = rig.worker(3);

        rig.signal(MasterSignal.TERM);

        assertThat(spare.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Drain(0, 5000));
        rig.signal(MasterSignal.INT);
        assertThat(rig.link(spare).sent).last().isEqualTo(new ControlMessage.Stop());
        for (WorkerHandle h : rig.live()) {
            rig.exit(h, 0);
        }
        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.launcher.count()).as("nothing replaced while stopping").isEqualTo(3);
    }

    @Test
    void aStandbyKilledAfterStandingByIsReplacedAtOnceOneThatCrashesByItselfWithBackoff() {
        ArbiterRig rig = booted(standby(1, 1).build());

        rig.exit(rig.worker(2), 137);

        assertThat(rig.worker(1).state()).isEqualTo(WorkerState.READY);
        WorkerHandle second = rig.worker(3);
        assertThat(second.isStandby()).as("replaced at once").isTrue();
        rig.standBy(second);

        rig.exit(second, 1);

        assertThat(rig.backoff.step()).isEqualTo(1);
        assertThat(rig.launcher.count()).as("waits out the backoff").isEqualTo(3);
        rig.elapse(Duration.ofMillis(100));
        assertThat(rig.launcher.count()).isEqualTo(4);
        assertThat(rig.worker(4).isStandby()).isTrue();
    }

    @Test
    void aStandbyThatReportsReadyDoesNotKnowStandbysAndIsStoppedWithBackoff() {
        ArbiterRig rig = booted(standby(1, 1).build());
        rig.exit(rig.worker(2), 137);
        WorkerHandle next = rig.worker(3);
        assertThat(next.isStandby()).isTrue();

        rig.ready(next);

        assertThat(next.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(next).sent).containsExactly(new ControlMessage.Stop());
        assertThat(rig.capacityReady()).as("it never counts as serving").isEqualTo(1);
        assertThat(rig.backoff.step()).isEqualTo(1);
    }

    @Test
    void aSilentStandbyIsKilledAsHung() {
        ArbiterRig rig = booted(standby(1, 1).timeout(Duration.ofSeconds(2)).build());
        WorkerHandle spare = rig.worker(2);

        for (int i = 0; i < 25; i++) {
            rig.heartbeat(rig.worker(1), 0);
            rig.elapse(Duration.ofMillis(100));
        }

        assertThat(spare.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.posix.signalsTo(spare.pid())).containsExactly(Posix.SIGQUIT);
        assertThat(rig.worker(3).isStandby()).as("a new standby boots").isTrue();
        assertThat(rig.worker(1).state()).isEqualTo(WorkerState.READY);
        assertThat(rig.restarts(MetricNames.REASON_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void aStandbyWithoutItsControlLinkIsNotActivatedAndCountsForNothingInReadiness() {
        ArbiterRig rig = booted(standby(1, 1).build());
        WorkerHandle spare = rig.worker(2);
        rig.arbiter.handle(new MasterEvent.WorkerDisconnected(spare.id()));

        rig.exit(rig.worker(1), 137);

        assertThat(spare.state()).as("a standby whose link closed is dying").isEqualTo(WorkerState.LOST);
        assertThat(rig.arbiter.isReady()).as("a standby is no ready worker").isFalse();
        assertThat(rig.worker(3).isStandby()).as("the lost standby's successor").isTrue();
        WorkerHandle replacement = rig.worker(4);
        assertThat(replacement.isStandby()).isFalse();
        rig.ready(replacement);
        assertThat(rig.arbiter.isReady()).isTrue();
    }

    @Test
    void aServingWorkerWhoseControlConnectionClosesIsReplacedByTheStandbyBeforeItsExitIsReported() {
        ArbiterRig rig = booted(standby(2, 1).build());
        WorkerHandle dying = rig.worker(1);
        WorkerHandle spare = rig.worker(3);

        // The kernel closes a killed worker's sockets before its parent learns of the exit.
        rig.arbiter.handle(new MasterEvent.WorkerDisconnected(dying.id()));

        assertThat(dying.state()).isEqualTo(WorkerState.LOST);
        assertThat(spare.state()).isEqualTo(WorkerState.READY);
        assertThat(rig.link(spare).sent).containsExactly(new ControlMessage.Activate(0, 0));
        assertThat(rig.capacityReady()).isEqualTo(2);
        assertThat(rig.gauge(MetricNames.STATE_DRAINING)).as("still a live process, on its way out").isEqualTo(1);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).as("counted when the exit comes").isZero();

        rig.exit(dying, 137);

        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isEqualTo(1);
        assertThat(rig.link(spare).sent).as("activated once").hasSize(1);
        assertThat(rig.posix.signalsTo(dying.pid())).as("it exited before its kill deadline").isEmpty();
    }

    @Test
    void aWorkerThatClosesItsControlConnectionButLingersIsKilledAfterTheStopGrace() {
        ArbiterRig rig = booted(standby(1, 1).build());
        WorkerHandle lingering = rig.worker(1);

        rig.arbiter.handle(new MasterEvent.WorkerDisconnected(lingering.id()));
        rig.elapse(Duration.ofMillis(900));
        assertThat(rig.posix.signalsTo(lingering.pid())).isEmpty();
        rig.elapse(Duration.ofMillis(200));

        assertThat(rig.posix.signalsTo(lingering.pid())).containsExactly(Posix.SIGKILL);
        assertThat(rig.worker(2).state()).as("the standby serves meanwhile").isEqualTo(WorkerState.READY);
    }

    @Test
    void aDisconnectWhileTheMasterStopsIsNoLoss() {
        ArbiterRig rig = booted(standby(1, 1).build());
        WorkerHandle serving = rig.worker(1);
        rig.signal(MasterSignal.TERM);
        rig.pump();

        rig.arbiter.handle(new MasterEvent.WorkerDisconnected(serving.id()));

        assertThat(serving.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.worker(2).state()).as("no activation while stopping").isNotEqualTo(WorkerState.READY);
    }
}
