package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.MetricNames;
import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.WorkerSegment;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.master.control.WorkerDirectory;
import dev.prefork.master.os.FakePosix;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArbiterLifecycleTest {

    @Test
    void startSpawnsThePoolWithIncreasingIdsAndDistinctSlots() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(3).build()).start();

        assertThat(rig.live()).extracting(WorkerHandle::id).containsExactly(1, 2, 3);
        assertThat(rig.live()).extracting(WorkerHandle::slot).containsExactly(0, 1, 2);
        assertThat(rig.live()).allMatch(h -> h.state() == WorkerState.SPAWNED);
        assertThat(rig.gauge(MetricNames.STATE_BOOTING)).isEqualTo(3);
        assertThat(rig.arbiter.isReady()).isFalse();
    }

    @Test
    void eachWorkerGetsItsSettingsAndASecretThatAdmitsItOnce() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).timeout(Duration.ofSeconds(2)).build()).start();
        FakeLauncher.Launch launch = rig.launcher.launches.get(0);
        WorkerSettings s = launch.settings();

        assertThat(s.workerId()).isEqualTo(1);
        assertThat(s.masterPid()).isEqualTo(FakePosix.MASTER_PID);
        assertThat(s.appClass()).isEqualTo("test.App");
        assertThat(s.heartbeatMillis()).isEqualTo(500);
        String secret = launch.process().secret;
        assertThat(secret).matches("[0-9a-f]{64}");

        int pid = (int) launch.process().pid();
        assertThat(rig.admissions.admit(1, secret, pid, FakePosix.UID))
                .isInstanceOfSatisfying(WorkerDirectory.Admission.Accepted.class,
                        a -> assertThat(a.listenFds()).containsExactly(100));
        assertThat(rig.admissions.admit(1, secret, pid, FakePosix.UID))
                .isInstanceOfSatisfying(WorkerDirectory.Admission.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo("replay"));
    }

    @Test
    void readyWorkersMakeTheMasterReadyAndRecordBootTime() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().build()).start();
        rig.clock.advance(Duration.ofMillis(300));
        rig.bootAll();

        assertThat(rig.live()).allMatch(h -> h.state() == WorkerState.READY);
        assertThat(rig.arbiter.isReady()).isTrue();
        assertThat(rig.gauge(MetricNames.STATE_READY)).isEqualTo(2);
        assertThat(rig.gauge(MetricNames.STATE_BOOTING)).isZero();
        var boot = rig.registry.get(MetricNames.WORKER_BOOT).timer();
        assertThat(boot.count()).isEqualTo(2);
        assertThat(boot.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(300);
    }

    @Test
    void maxRequestsGetsJitterWithinItsRange() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(20).maxRequests(1000).maxRequestsJitter(50).build()).start();

        List<Long> maxRequests = rig.launcher.launches.stream().map(l -> l.settings().maxRequests()).toList();
        assertThat(maxRequests).allMatch(n -> n >= 1000 && n <= 1050);
        assertThat(maxRequests.stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void maxRequestsOffStaysOffWhateverTheJitter() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).maxRequestsJitter(50).build()).start();

        assertThat(rig.launcher.launches.get(0).settings().maxRequests()).isZero();
    }

    @Test
    void everyTickScansForZombiesAndSoDoesChld() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().build()).start();
        rig.elapse(Duration.ofMillis(300));
        assertThat(rig.zombieScans.get()).isEqualTo(3);

        rig.signal(MasterSignal.CHLD);
        assertThat(rig.zombieScans.get()).isEqualTo(4);
    }

    @Test
    void allRestartReasonsExistAtZeroBeforeAnyRestart() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().build());

        for (String reason : List.of("crashed", "timeout", "max_requests", "memory", "reload", "boot_failed")) {
            assertThat(rig.registry.get(MetricNames.WORKER_RESTARTS).tag("reason", reason).counter().count()).isZero();
        }
    }

    @Test
    void segmentFiguresArePublishedPerWorkerAndKeptInTheTotalsWhenItExits(@org.junit.jupiter.api.io.TempDir
                                                                           java.nio.file.Path dir) throws Exception {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();
        WorkerHandle w = rig.worker(1);
        java.nio.file.Path file = dir.resolve("worker-1.seg");
        w.segment(new SegmentReader(WorkerSegment.create(file, 1), 1, w.pid()));
        rig.ready(w);
        SegmentBuffer b = WorkerSegment.attach(file, 1, w.pid()).buffer();
        b.putLongVolatile(SegmentField.REQUESTS.offset(), 123);
        b.putLongVolatile(SegmentField.REQUESTS_IN_FLIGHT.offset(), 4);
        b.putLongVolatile(SegmentField.CONNECTIONS_OPEN.offset(), 5);
        b.putLongVolatile(SegmentField.REQUEST_TIMEOUTS.offset(), 7);
        b.putLongVolatile(SegmentField.THREADS_FULL.offset(), 11);
        rig.message(w, new dev.prefork.core.control.ControlMessage.Heartbeat(0));

        assertThat(rig.registry.get(MetricNames.WORKER_REQUESTS).tag("worker", "1").functionCounter().count()).isEqualTo(123);
        assertThat(rig.registry.get(MetricNames.WORKER_REQUESTS_IN_FLIGHT).tag("worker", "1").gauge().value()).isEqualTo(4);
        assertThat(rig.registry.get(MetricNames.WORKER_CONNECTIONS_OPEN).tag("worker", "1").gauge().value()).isEqualTo(5);
        assertThat(rig.registry.get(MetricNames.REQUESTS).functionCounter().count()).isEqualTo(123);
        assertThat(rig.registry.get(MetricNames.REQUEST_TIMEOUTS).functionCounter().count()).isEqualTo(7);
        assertThat(rig.registry.get(MetricNames.REQUESTS_IN_FLIGHT).gauge().value()).isEqualTo(4);
        assertThat(rig.registry.get(MetricNames.CONNECTIONS_OPEN).gauge().value()).isEqualTo(5);
        assertThat(threadsFull(rig)).isEqualTo(11);

        rig.exit(w, 0);
        assertThat(rig.registry.find(MetricNames.WORKER_REQUESTS).tag("worker", "1").functionCounter()).isNull();
        assertThat(file).as("the gone worker's segment is deleted").doesNotExist();
        // The pool-wide total keeps what the gone worker served; its in-flight figure leaves the sum.
        assertThat(rig.registry.get(MetricNames.REQUESTS).functionCounter().count()).isEqualTo(123);
        assertThat(rig.registry.get(MetricNames.REQUESTS_IN_FLIGHT).gauge().value()).isZero();
        // So do the refusals it counted: the counters never go down.
        assertThat(rig.registry.get(MetricNames.REQUEST_TIMEOUTS).functionCounter().count()).isEqualTo(7);
        assertThat(threadsFull(rig)).isEqualTo(11);
    }

    private static double threadsFull(ArbiterRig rig) {
        return rig.registry.get(MetricNames.REQUESTS_REJECTED).tag(MetricNames.TAG_REASON, MetricNames.REASON_THREADS_FULL)
                .functionCounter().count();
    }
}
