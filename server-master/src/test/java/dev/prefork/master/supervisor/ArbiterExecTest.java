package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.InheritedSocket;
import dev.prefork.core.MetricNames;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.os.Posix;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.WorkerSegment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Supervision of exec workers (a worker command run with the Prefork agent). */
class ArbiterExecTest {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger arbiterLog = (Logger) LoggerFactory.getLogger(Arbiter.class);
    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        logged.start();
        arbiterLog.addAppender(logged);
    }

    @AfterEach
    void release() {
        arbiterLog.detachAppender(logged);
    }

    private static ArbiterRig execRig(int workers) {
        return new ArbiterRig(ArbiterRig.config().appClass(null)
                .workerCommand(List.of("java", "-jar", "my-service.jar")).workers(workers).build());
    }

    @Test
    void anExecWorkerExiting143AfterItsDrainIsACleanExit() {
        ArbiterRig rig = execRig(2).start();
        rig.bootAll();

        rig.signal(MasterSignal.TERM);
        rig.exit(rig.worker(1), 143);
        rig.exit(rig.worker(2), 143);

        assertThat(rig.arbiter.isFinished()).isTrue();
        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).isZero();
        assertThat(rig.posix.kills).isEmpty();
    }

    @Test
    void anExecWorkerNeverReadyFailsTheBootWithTheRemedyLine() {
        ArbiterRig rig = execRig(1).start();
        rig.connect(rig.worker(1));

        rig.elapse(Duration.ofSeconds(21));

        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.BOOT_FAILURE);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("failed to boot: not ready within the boot timeout")
                        .contains(InheritedSocket.REMEDY).doesNotContain("\n"));
    }

    @Test
    void aNativeWorkerNeverReadyGetsNoExecRemedy() {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(1).build()).start();

        rig.elapse(Duration.ofSeconds(21));

        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.BOOT_FAILURE);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneSatisfy(line -> assertThat(line).contains(InheritedSocket.REMEDY));
    }

    @Test
    void bootFailedFromTheAgentStopsTheMasterWithExit3() {
        ArbiterRig rig = execRig(2).start();
        rig.connect(rig.worker(1));

        rig.message(rig.worker(1), new ControlMessage.BootFailed("the application bound port 8080 itself; " + InheritedSocket.REMEDY));

        assertThat(rig.arbiter.exitCode()).isEqualTo(ExitCodes.BOOT_FAILURE);
        assertThat(rig.restarts(MetricNames.REASON_BOOT_FAILED)).isEqualTo(1);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("the application bound port 8080 itself"));
    }

    /** The segment the master made for {@code h}, mapped as its agent maps it, stamped with {@code agentPid}. */
    private SegmentBuffer agentSegment(WorkerHandle h, long agentPid) throws IOException {
        Path file = dir.resolve("worker-" + h.id() + ".seg");
        h.segment(new SegmentReader(WorkerSegment.create(file, h.id()), h.id(), h.pid()));
        return WorkerSegment.attach(file, h.id(), agentPid).buffer();
    }

    private static void jvm(SegmentBuffer b, long heapUsed, long heapCommitted, long heapMax, long gcCount,
                            long gcMillis, long threads) {
        b.putLongVolatile(SegmentField.HEAP_USED_BYTES.offset(), heapUsed);
        b.putLongVolatile(SegmentField.HEAP_COMMITTED_BYTES.offset(), heapCommitted);
        b.putLongVolatile(SegmentField.HEAP_MAX_BYTES.offset(), heapMax);
        b.putLongVolatile(SegmentField.GC_COLLECTIONS.offset(), gcCount);
        b.putLongVolatile(SegmentField.GC_PAUSE_MILLIS.offset(), gcMillis);
        b.putLongVolatile(SegmentField.LIVE_THREADS.offset(), threads);
    }

    @Test
    void jvmFiguresFromTheAgentsSegmentsArePerWorkerAndSummedAndTheGcTotalsSurviveAWorkersExit() throws IOException {
        ArbiterRig rig = execRig(2).start();
        rig.bootAll();
        // The same series as native workers' segments feed: present from the start, 0 before the first sample.
        assertThat(rig.registry.get(MetricNames.JVM_HEAP_USED).gauge().value()).isZero();

        jvm(agentSegment(rig.worker(1), rig.worker(1).pid()), 110, 200, 400, 4, 2000, 21);
        jvm(agentSegment(rig.worker(2), rig.worker(2).pid()), 10, 20, 400, 1, 500, 30);

        assertThat(rig.registry.get(MetricNames.WORKER_JVM_HEAP_USED).tag("worker", "1").gauge().value()).isEqualTo(110);
        assertThat(rig.registry.get(MetricNames.WORKER_JVM_GC_PAUSE).tag("worker", "1").functionCounter().count()).isEqualTo(2.0);
        assertThat(rig.registry.get(MetricNames.WORKER_JVM_THREADS_LIVE).tag("worker", "2").gauge().value()).isEqualTo(30);
        assertThat(rig.registry.get(MetricNames.JVM_HEAP_USED).gauge().value()).isEqualTo(120);
        assertThat(rig.registry.get(MetricNames.JVM_HEAP_COMMITTED).gauge().value()).isEqualTo(220);
        assertThat(rig.registry.get(MetricNames.JVM_HEAP_MAX).gauge().value()).isEqualTo(800);
        assertThat(rig.registry.get(MetricNames.JVM_GC_COLLECTIONS).functionCounter().count()).isEqualTo(5);
        assertThat(rig.registry.get(MetricNames.JVM_THREADS_LIVE).gauge().value()).isEqualTo(51);

        rig.exit(rig.worker(1), 137);

        assertThat(rig.registry.find(MetricNames.WORKER_JVM_HEAP_USED).tag("worker", "1").gauge()).isNull();
        assertThat(rig.registry.get(MetricNames.JVM_HEAP_USED).gauge().value()).isEqualTo(10);
        assertThat(rig.registry.get(MetricNames.JVM_GC_COLLECTIONS).functionCounter().count()).as("never goes down").isEqualTo(5);
        assertThat(rig.registry.get(MetricNames.JVM_GC_PAUSE).functionCounter().count()).isEqualTo(2.5);
    }

    @Test
    void jvmMetricsFollowPrometheusNaming() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MasterMetrics metrics = new MasterMetrics(registry);
        WorkerHandle h = new WorkerHandle(7, 0, 1, new FakeProcess(4711), "s", 0, 0);
        h.connected(new FakeLink());
        metrics.workerConnected(h);
        SegmentBuffer b = agentSegment(h, 4711);
        jvm(b, 1, 2, 3, 4, 5000, 6);
        b.putLongVolatile(SegmentField.HEAP_AFTER_GC_BYTES.offset(), 7);
        b.putLongVolatile(SegmentField.RSS_BYTES.offset(), 8);

        String scrape = registry.scrape();

        assertThat(scrape).contains("prefork_worker_jvm_heap_used_bytes{worker=\"7\"} 1.0",
                "prefork_worker_jvm_heap_committed_bytes{worker=\"7\"} 2.0",
                "prefork_worker_jvm_heap_max_bytes{worker=\"7\"} 3.0",
                "prefork_worker_jvm_gc_collections_total{worker=\"7\"} 4.0",
                "prefork_worker_jvm_gc_pause_seconds_total{worker=\"7\"} 5.0",
                "prefork_worker_jvm_threads_live{worker=\"7\"} 6.0",
                "prefork_worker_jvm_heap_after_gc_bytes{worker=\"7\"} 7.0",
                "prefork_worker_resident_memory_bytes{worker=\"7\"} 8.0",
                "prefork_jvm_heap_used_bytes 1.0", "prefork_jvm_heap_committed_bytes 2.0", "prefork_jvm_heap_max_bytes 3.0",
                "prefork_jvm_gc_collections_total 4.0", "prefork_jvm_gc_pause_seconds_total 5.0", "prefork_jvm_threads_live 6.0");
    }

    @Test
    void theSegmentOfAJvmStartedByALauncherScriptIsReadUnderThatJvmsPid() throws IOException {
        // The script is the spawned process (4711); the JVM that says Hello (4712) is its child, and its agent
        // stamps its own pid into the segment.
        WorkerHandle h = new WorkerHandle(3, 0, 1, new FakeProcess(4711), "s", 0, 0);
        SegmentBuffer b = agentSegment(h, 4712);
        b.putLongVolatile(SegmentField.RSS_BYTES.offset(), 300L << 20);
        FakeLink link = new FakeLink();
        link.peerPid = 4712;

        h.connected(link);

        assertThat(h.figures().pid()).isEqualTo(4712);
        assertThat(h.figures().get(SegmentField.RSS_BYTES)).isEqualTo(300L << 20);
        assertThat(h.takeRejection()).isNull();
    }

    @Test
    void maxWorkerRssRecyclesAnExecWorkerThroughTheRollAndItsAgentIsToldToDrain() throws IOException {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().appClass(null)
                .workerCommand(List.of("java", "-jar", "my-service.jar")).workers(1).maxWorkerRss(100L << 20).build())
                .start();
        rig.bootAll();
        WorkerHandle old = rig.worker(1);
        agentSegment(old, old.pid()).putLongVolatile(SegmentField.RSS_BYTES.offset(), 200L << 20);

        rig.elapse(Duration.ofSeconds(1));

        WorkerHandle replacement = rig.worker(2);
        assertThat(replacement.replacing()).as("one-at-a-time roll").isSameAs(old);
        assertThat(old.state()).as("serves until its replacement is ready").isEqualTo(WorkerState.READY);
        rig.ready(replacement);
        assertThat(old.state()).isEqualTo(WorkerState.DRAINING);
        assertThat(rig.link(old).sent).anySatisfy(m -> assertThat(m).isInstanceOf(ControlMessage.Drain.class));
        assertThat(rig.restarts(MetricNames.REASON_MEMORY)).isEqualTo(1);
        rig.exit(old, 143);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).as("143 after a drain is a clean exit").isZero();
        assertThat(rig.capacityReady()).isEqualTo(1);
    }

    @Test
    void aLauncherScriptsChildJvmGetsTheThreadDumpAndTheScriptIsNotSentSigquit() throws Exception {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().appClass(null).workerCommand(List.of("bin/run"))
                .workers(1).timeout(Duration.ofSeconds(1)).build()).start();
        WorkerHandle h = rig.worker(1);
        // A real process stands in for the JVM the script started (the handle checks it is alive).
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            FakeLink link = new FakeLink();
            link.peerPid = child.pid();
            rig.links.put(h.id(), link);
            rig.arbiter.handle(new MasterEvent.WorkerConnected(h.id(), link));
            rig.message(h, new ControlMessage.Ready());

            rig.elapse(Duration.ofMillis(1200));

            assertThat(rig.posix.signalsTo(child.pid())).containsExactly(Posix.SIGQUIT);
            assertThat(rig.posix.signalsTo(h.pid())).isEmpty();
            rig.elapse(Duration.ofMillis(600));
            assertThat(rig.posix.signalsTo(h.pid())).containsExactly(Posix.SIGKILL);
            assertThat(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("the JVM is killed too").isTrue();
        } finally {
            child.destroyForcibly();
        }
    }
}
