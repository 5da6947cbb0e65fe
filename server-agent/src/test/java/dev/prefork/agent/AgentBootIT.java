package dev.prefork.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.InheritedSocket;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent with small class-path applications: fast boots for the handshake, Stop, orphaning and failures. */
class AgentBootIT {
    static final Duration BOOT = Duration.ofSeconds(30);
    static final String SECRET = "agent-it-secret";
    /** Only the test apps on the class path: the agent's classes must come from the agent jar alone. */
    static final String TEST_CLASSES = Paths.get(System.getProperty("prefork.testClasses", "target/test-classes"))
            .toAbsolutePath().toString();
    static final List<String> INHERITED_APP = List.of("-cp", TEST_CLASSES, InheritedChannelApp.class.getName());

    @Test
    void readyOnAcceptThenServesAndStopHalts() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master) + ",fd=100", SECRET, master, INHERITED_APP)) {
            master.await(ControlMessage.Ready.class, BOOT);
            assertThat(master.received().subList(0, 3)).containsExactly(new ControlMessage.Hello(1, SECRET),
                    new ControlMessage.SocketsReceived(1), new ControlMessage.Ready());
            // fd 100 and fd 0 are the same listening socket; the stdin pipe is gone.
            Path fd0 = Paths.get("/proc/" + worker.pid() + "/fd/0");
            assertThat(Files.readSymbolicLink(fd0).toString()).startsWith("socket:[");
            assertThat(Files.readSymbolicLink(Paths.get("/proc/" + worker.pid() + "/fd/100"))).isEqualTo(Files.readSymbolicLink(fd0));

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);

            // The JVM's figures in the segment the master made, sampled by the agent as a native worker samples.
            SegmentSnapshot jvm = master.awaitSegment(worker.pid(), "JVM figures in the segment",
                    s -> s.get(SegmentField.JVM_SAMPLED_AT_MILLIS) > 0, BOOT);
            assertThat(jvm.get(SegmentField.HEAP_USED_BYTES)).isPositive();
            assertThat(jvm.get(SegmentField.HEAP_COMMITTED_BYTES)).isGreaterThanOrEqualTo(jvm.get(SegmentField.HEAP_USED_BYTES));
            assertThat(jvm.get(SegmentField.HEAP_MAX_BYTES)).isGreaterThanOrEqualTo(jvm.get(SegmentField.HEAP_COMMITTED_BYTES));
            assertThat(jvm.get(SegmentField.LIVE_THREADS)).isPositive();
            assertThat(jvm.get(SegmentField.RSS_BYTES)).isGreaterThan(10L << 20);
            assertThat(jvm.get(SegmentField.CPU_NANOS)).isPositive();
            assertThat(jvm.get(SegmentField.UPTIME_MILLIS)).isPositive();
            assertThat(jvm.get(SegmentField.REQUESTS)).isZero(); // no glue here
            assertThat(master.await(ControlMessage.Heartbeat.class, BOOT).maxLoopLagMillis()).isNotNegative();

            master.send(new ControlMessage.Stop());
            assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_OK);
            assertThat(worker.stderr()).anyMatch(l -> l.startsWith("prefork-agent worker 1 pid " + worker.pid() + ": premain "))
                    .anyMatch(l -> l.contains("ready: a thread of the application waits to accept on fd 0 and fd 100"));
        }
    }

    @Test
    void haltsOrphanedWhenTheControlSocketCloses() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master), SECRET, master, INHERITED_APP)) {
            master.await(ControlMessage.Ready.class, BOOT);
            master.closeControlConnection();
            assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_ORPHANED);
        }
    }

    @Test
    void ownListeningPortIsABootFailureWithTheRemedy() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master), SECRET, master,
                     List.of("-cp", TEST_CLASSES, OwnPortApp.class.getName()))) {
            ControlMessage.BootFailed failed = master.await(ControlMessage.BootFailed.class, BOOT);
            assertThat(failed.reason()).contains("listens on a TCP port of its own", InheritedSocket.REMEDY);
            assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_BOOT_ERROR);
            assertThat(master.received(ControlMessage.Ready.class)).isEmpty();
        }
    }

    @Test
    void applicationExitingBeforeItServesIsReportedAsBootFailed() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master), SECRET, master,
                     List.of("-cp", TEST_CLASSES, ExitingApp.class.getName()))) {
            assertThat(worker.awaitExit(BOOT)).isEqualTo(1);
            assertThat(master.await(ControlMessage.BootFailed.class, BOOT).reason())
                    .startsWith("the application exited before it accepted on fd 0");
        }
    }

    @Test
    void wrongSecretIsRefusedAndTheWorkerExitsWithHandshakeFailed() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master), "not-the-secret", master, INHERITED_APP)) {
            assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_HANDSHAKE_FAILED);
            assertThat(master.refusals()).containsExactly("secret ok false, peer pid " + worker.pid());
            assertThat(worker.stdout()).noneMatch(l -> l.contains("serving"));
            assertThat(worker.stderr()).anyMatch(l -> l.contains("boot failed: the master closed the control connection"));
        }
    }

    @Test
    void takenWorkerFdIsReportedAsBootFailed() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(args(master) + ",fd=2", SECRET, master, INHERITED_APP)) {
            assertThat(master.await(ControlMessage.BootFailed.class, BOOT).reason()).contains("--worker-fd 2", "already open");
            assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_BOOT_ERROR);
        }
    }

    static String args(StandInMaster master) {
        return "control=" + master.controlPath() + ",worker=1,heartbeat-ms=200,segment=" + master.segmentPath();
    }
}
