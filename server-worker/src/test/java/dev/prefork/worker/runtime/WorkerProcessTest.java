package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentSnapshot;
import dev.prefork.core.control.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Real worker JVMs against a fake master: the handshake with fd passing, serving, limits, heartbeats, drain,
 * stop, and the ways a worker learns that its master died.
 */
class WorkerProcessTest {
    private static final Duration BOOT = Duration.ofSeconds(20);
    private static final String SECRET = "s3cret-for-worker-7";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String testName;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private FakeMaster master(boolean refuse) throws Exception {
        FakeMaster master = new FakeMaster(refuse);
        toClose.add(master);
        return master;
    }

    private WorkerProcess worker(TestInfo info, WorkerSettings settings, String... jvmOpts) throws Exception {
        WorkerProcess worker = WorkerProcess.start(info.getTestMethod().orElseThrow().getName(), settings, SECRET,
                List.of(jvmOpts));
        toClose.add(worker);
        return worker;
    }

    private WorkerProcess readyWorker(TestInfo info, FakeMaster master, WorkerSettings settings, String... jvmOpts)
            throws Exception {
        WorkerProcess worker = worker(info, settings, jvmOpts);
        try {
            master.await(ControlMessage.Ready.class, BOOT);
        } catch (Throwable t) {
            throw new AssertionError("worker not ready; log:\n" + worker.log(), t);
        }
        return worker;
    }

    @Test
    void handshakesWithTheSecretServesWithKeepAliveAndLoadsNoJnr(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        Path classLog = Files.createTempFile("worker-classes", ".log");
        toClose.add(() -> Files.deleteIfExists(classLog));
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0),
                "-Xlog:class+load=info:file=" + classLog);

        ControlMessage.Hello hello = master.await(ControlMessage.Hello.class, BOOT);
        assertThat(hello.workerId()).isEqualTo(7);
        assertThat(hello.secret()).isEqualTo(SECRET);
        assertThat(master.received()).startsWith(hello, new ControlMessage.SocketsReceived(1), new ControlMessage.Ready());

        try (RawHttp client = new RawHttp(master.port())) {
            RawHttp.Response first = client.get("/").read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("hello");
            assertThat(first.header("connection")).isNull();
            assertThat(first.header("date")).isNotBlank();
            // The same socket answers again: keep-alive.
            RawHttp.Response second = client.get("/whoami").read();
            assertThat(second.body()).isEqualTo("7 " + worker.pid());
            RawHttp.Response echoed = client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde").read();
            assertThat(echoed.body()).isEqualTo("abcde");

            SegmentSnapshot figures = master.awaitFigures(worker.pid(), s -> s.get(SegmentField.REQUESTS) == 3,
                    Duration.ofSeconds(5));
            assertThat(figures.get(SegmentField.CONNECTIONS_OPEN)).isEqualTo(1);
            assertThat(figures.get(SegmentField.REQUESTS_IN_FLIGHT)).isZero();
            ControlMessage.Heartbeat beat = master.await(ControlMessage.Heartbeat.class, Duration.ofSeconds(5));
            assertThat(beat.maxLoopLagMillis()).isLessThan(1_000);
        }
        // The listening socket is shared: the worker must leave it non-blocking.
        assertThat(fdFlags(master.listenFd()) & 04000).as("O_NONBLOCK").isNotZero();

        String classes = Files.readString(classLog);
        assertThat(classes).contains("io.netty.channel.epoll.EpollServerSocketChannel");
        assertThat(classes).as("jnr classes loaded by the worker").doesNotContain(" jnr.");
        assertThat(TestApp.class.getClassLoader().getResource("jnr/posix/POSIXFactory.class"))
                .as("jnr on the worker's classpath, as in production").isNotNull();
    }

    @Test
    void answersOversizedAndMalformedRequestsWithAnErrorAndCloses(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));

        assertRejected(master, "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
        StringBuilder manyFields = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 101; i++) {
            manyFields.append("X-Field-").append(i).append(": v\r\n");
        }
        assertRejected(master, manyFields + "\r\n", 431);
        assertRejected(master, "GET / HTTP/1.1\r\nHost: t\r\nX-Long: " + "v".repeat(8200) + "\r\n\r\n", 431);
        assertRejected(master, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 413);
        assertRejected(master, "NOT HTTP AT ALL\r\n\r\n", 400);
    }

    private static void assertRejected(FakeMaster master, String request, int status) throws Exception {
        try (RawHttp client = new RawHttp(master.port())) {
            RawHttp.Response response = client.send(request).read();
            assertThat(response.status()).as(request.substring(0, Math.min(40, request.length()))).isEqualTo(status);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void drainFinishesTheRequestInFlightAnswersIdleConnectionsWithCloseThenExitsZero(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        try (RawHttp idle = new RawHttp(master.port()); RawHttp busy = new RawHttp(master.port())) {
            assertThat(idle.get("/").read().status()).isEqualTo(200);
            busy.get("/sleep?ms=1500");
            master.awaitFigures(worker.pid(), s -> s.get(SegmentField.REQUESTS_IN_FLIGHT) == 1, Duration.ofSeconds(5));

            master.send(new ControlMessage.Drain(0, 5_000));
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.log().contains("stopped accepting"));

            // The idle connection stays open (a request may be on its way); its next answer closes it.
            RawHttp.Response next = idle.get("/").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("connection")).isEqualTo("close");
            assertThat(idle.closedByServer()).isTrue();
            assertThat(worker.isAlive()).as("alive while a request is in flight").isTrue();
            RawHttp.Response answer = busy.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("slept");
            assertThat(answer.header("connection")).isEqualTo("close");
            assertThat(busy.closedByServer()).isTrue();
        }
        assertThat(worker.awaitExit(Duration.ofSeconds(5))).isEqualTo(ExitCodes.WORKER_OK);
        assertThat(worker.log()).contains("draining on the master's Drain", "stopped accepting", "drained in");
    }

    @Test
    void drainDelayKeepsAcceptingThenAnswersWithConnectionClose(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        master.send(new ControlMessage.Drain(3_000, 8_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.log().contains("draining on"));
        try (RawHttp during = new RawHttp(master.port())) {
            RawHttp.Response response = during.get("/").read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).as("keep-alive clients move on early").isEqualTo("close");
        }
        try (RawHttp stillAccepted = new RawHttp(master.port())) {
            assertThat(stillAccepted.get("/").read().status()).as("new connections accepted during the delay")
                    .isEqualTo(200);
        }
        assertThat(worker.awaitExit(Duration.ofSeconds(8))).isEqualTo(ExitCodes.WORKER_OK);
    }

    @Test
    void sigtermDrainsLikeTheMastersDrain(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        try (RawHttp busy = new RawHttp(master.port())) {
            busy.get("/sleep?ms=800");
            master.awaitFigures(worker.pid(), s -> s.get(SegmentField.REQUESTS_IN_FLIGHT) == 1, Duration.ofSeconds(5));
            worker.terminate();
            RawHttp.Response answer = busy.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("connection")).isEqualTo("close");
        }
        assertThat(worker.awaitExit(Duration.ofSeconds(5))).isEqualTo(ExitCodes.WORKER_OK);
        assertThat(worker.log()).contains("draining on SIGTERM");
    }

    @Test
    void aStandbyHoldsItsSocketWithoutAcceptingUntilActivatedThenServesTheQueuedConnection(TestInfo info)
            throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = worker(info, WorkerProcess.standbySettings(master, TestApp.class.getName()));
        master.await(ControlMessage.StandingBy.class, BOOT);
        master.await(ControlMessage.Heartbeat.class, Duration.ofSeconds(5));
        try (RawHttp queued = new RawHttp(master.port())) {
            queued.get("/");
            queued.timeoutMillis(500);
            assertThatThrownBy(queued::read).as("nobody accepts from the socket yet")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(master.received(ControlMessage.Ready.class)).isEmpty();

            master.send(new ControlMessage.Activate(2, 0));

            master.await(ControlMessage.Ready.class, Duration.ofSeconds(5));
            queued.timeoutMillis(5_000);
            assertThat(queued.read().status()).as("the connection queued in the backlog is served").isEqualTo(200);
        }
        assertThat(worker.log()).contains("standing by in", "activated in slot 2");
    }

    @Test
    void aStandbysWarmUpRequestsAreNotCountedOnlyWhatItServesOnceActivated(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = worker(info, WorkerProcess.standbySettings(master, TestApp.class.getName()));
        master.await(ControlMessage.StandingBy.class, BOOT);
        master.await(ControlMessage.Heartbeat.class, Duration.ofSeconds(5));
        SegmentSnapshot standing = master.awaitFigures(worker.pid(), s -> s.get(SegmentField.JVM_SAMPLED_AT_MILLIS) > 0,
                Duration.ofSeconds(5));
        assertThat(standing.get(SegmentField.REQUESTS)).as("the warm-up's %d requests are no served requests (segment,"
                + " --max-requests)", StandbyWarmUp.REQUESTS).isZero();
        assertThat(standing.get(SegmentField.CONNECTIONS_OPEN)).isZero();

        master.send(new ControlMessage.Activate(0, 0));
        master.await(ControlMessage.Ready.class, Duration.ofSeconds(5));
        try (RawHttp client = new RawHttp(master.port())) {
            client.get("/");
            assertThat(client.read().status()).isEqualTo(200);
        }
        master.awaitFigures(worker.pid(), s -> s.get(SegmentField.REQUESTS) == 1, Duration.ofSeconds(5));
        assertThat(worker.log()).contains("activated in slot 0");
    }

    @Test
    void aStandbyDrainedBeforeActivationClosesTheApplicationAndExitsZero(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = worker(info, WorkerProcess.standbySettings(master, TestApp.class.getName()));
        master.await(ControlMessage.StandingBy.class, BOOT);

        master.send(new ControlMessage.Drain(0, 5_000));

        assertThat(worker.awaitExit(Duration.ofSeconds(5))).isEqualTo(ExitCodes.WORKER_OK);
        assertThat(worker.log()).contains("drained in");
        assertThat(master.received(ControlMessage.Ready.class)).isEmpty();
    }

    @Test
    void stopExitsAtOnce(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        try (RawHttp busy = new RawHttp(master.port())) {
            busy.get("/sleep?ms=10000");
            master.send(new ControlMessage.Stop());
            assertThat(worker.awaitExit(Duration.ofSeconds(2))).isEqualTo(ExitCodes.WORKER_OK);
        }
    }

    @Test
    void exitsWithinOneSecondWhenTheControlConnectionCloses(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        long start = System.nanoTime();
        master.closeControlConnection();
        int code = worker.awaitExit(Duration.ofSeconds(3));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(code).isEqualTo(ExitCodes.WORKER_ORPHANED);
        assertThat(millis).isLessThan(1_000);
    }

    @Test
    void exitsWhenStdinReachesEof(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        worker.closeStdin();
        assertThat(worker.awaitExit(Duration.ofSeconds(3))).isEqualTo(ExitCodes.WORKER_ORPHANED);
        assertThat(worker.log()).contains("stdin reached EOF");
    }

    @Test
    void refusedHandshakeExitsWithTheHandshakeCode(TestInfo info) throws Exception {
        FakeMaster master = master(true);
        WorkerProcess worker = worker(info, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        assertThat(worker.awaitExit(BOOT)).isEqualTo(ExitCodes.WORKER_HANDSHAKE_FAILED);
        assertThat(master.received(ControlMessage.Hello.class)).hasSize(1);
        assertThat(worker.log()).contains("refused");
    }

    @Test
    void missingApplicationClassFailsTheBoot(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = worker(info, WorkerProcess.settings(master, "com.example.NoSuchApp", 0));
        ControlMessage.BootFailed failed = master.await(ControlMessage.BootFailed.class, BOOT);
        assertThat(failed.reason()).contains("com.example.NoSuchApp", "not found", "classpath");
        assertThat(worker.awaitExit(Duration.ofSeconds(5))).isEqualTo(ExitCodes.WORKER_BOOT_ERROR);
        assertThat(master.received(ControlMessage.Ready.class)).isEmpty();
        assertThat(worker.log()).contains("ClassNotFoundException");
    }

    @Test
    void failingInitFailsTheBootWithItsCause(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = worker(info, WorkerProcess.settings(master, TestApp.FailingInit.class.getName(), 0));
        ControlMessage.BootFailed failed = master.await(ControlMessage.BootFailed.class, BOOT);
        assertThat(failed.reason()).contains("FailingInit.init failed", "database unreachable");
        assertThat(worker.awaitExit(Duration.ofSeconds(5))).isEqualTo(ExitCodes.WORKER_BOOT_ERROR);
        assertThat(worker.log()).contains("java.lang.IllegalStateException: database unreachable", "\tat ");
    }

    @Test
    void aBlockedEventLoopShowsAsGrowingLag(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 0));
        try (RawHttp client = new RawHttp(master.port())) {
            client.get("/burn?ms=1500");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(
                    () -> last(master.received(ControlMessage.Heartbeat.class)),
                    h -> h != null && h.maxLoopLagMillis() >= 1_000);
            assertThat(client.read().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(3)).until(
                    () -> last(master.received(ControlMessage.Heartbeat.class)),
                    h -> h.maxLoopLagMillis() < 500);
        }
    }

    @Test
    void asksOnceToBeRecycledAfterMaxRequests(TestInfo info) throws Exception {
        FakeMaster master = master(false);
        WorkerProcess worker = readyWorker(info, master, WorkerProcess.settings(master, TestApp.class.getName(), 3));
        try (RawHttp client = new RawHttp(master.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(client.get("/").read().status()).isEqualTo(200);
            }
        }
        ControlMessage.RecycleRequest recycle = master.await(ControlMessage.RecycleRequest.class, Duration.ofSeconds(5));
        assertThat(recycle.requestsServed()).isEqualTo(3);
        master.awaitFigures(worker.pid(), s -> s.get(SegmentField.REQUESTS) == 5, Duration.ofSeconds(5));
        assertThat(master.received(ControlMessage.RecycleRequest.class)).hasSize(1);
        assertThat(worker.isAlive()).as("keeps serving until told to drain").isTrue();
    }

    private static <T> T last(List<T> list) {
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }

    /** The open-file flags of one of this process's fds, from /proc (octal "flags:" line). */
    private static int fdFlags(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags line for fd " + fd);
    }
}
