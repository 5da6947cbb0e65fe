package dev.prefork.master.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.BindAddress;
import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.net.ListenerSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int MY_PID = (int) ProcessHandle.current().pid();
    private static EventLoopGroup clientGroup;

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeDirectory directory = new FakeDirectory();
    private final RecordingEvents events = new RecordingEvents();
    private final List<TestWorkerClient> clients = new CopyOnWriteArrayList<>();
    private ListenerSet listeners;
    private ControlDirectory controlDir;
    private ControlServer server;

    /** Admits worker ids registered with {@link #expect}, like the supervisor: secret and peer pid must match. */
    static final class FakeDirectory implements WorkerDirectory {
        final Map<Integer, String> secrets = new ConcurrentHashMap<>();
        final Map<Integer, int[]> fds = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        void expect(int workerId, String secret, int[] listenFds) {
            secrets.put(workerId, secret);
            fds.put(workerId, listenFds);
        }

        @Override
        public Admission admit(int workerId, String secret, int peerPid, int peerUid) {
            calls.add(workerId + "/" + peerPid + "/" + peerUid);
            String expected = secrets.get(workerId);
            if (expected == null) {
                return new Admission.Rejected("unknown_worker", "no worker " + workerId + " is booting");
            }
            if (!expected.equals(secret)) {
                return new Admission.Rejected("bad_secret", "secret does not match");
            }
            if (peerPid != MY_PID) {
                return new Admission.Rejected("wrong_pid", "peer pid " + peerPid);
            }
            return new Admission.Accepted(fds.get(workerId));
        }
    }

    static final class RecordingEvents implements ControlEvents {
        final Map<Integer, WorkerLink> links = new ConcurrentHashMap<>();
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final List<ControlMessage> messages = new CopyOnWriteArrayList<>();

        @Override
        public void connected(int workerId, WorkerLink link) {
            links.put(workerId, link);
            log.add("connected " + workerId);
        }

        @Override
        public void message(int workerId, ControlMessage.Report message) {
            messages.add(message);
            log.add("message " + workerId + " " + message.getClass().getSimpleName());
        }

        @Override
        public void disconnected(int workerId) {
            log.add("disconnected " + workerId);
        }

        String next() throws InterruptedException {
            return log.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @BeforeAll
    static void startClientLoop() {
        clientGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void stopClientLoop() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void setUp() {
        listeners = ListenerSet.bind(List.of(new BindAddress("127.0.0.1", 0), new BindAddress("127.0.0.1", 0)),
                64, false, 1);
        controlDir = ControlDirectory.create(tmp);
        startServer(ControlServer.DEFAULT_HANDSHAKE_TIMEOUT);
    }

    private void startServer(Duration handshakeTimeout) {
        server = ControlServer.start(controlDir.socketPath(), directory, events, registry, handshakeTimeout);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (TestWorkerClient client : clients) {
            client.close();
        }
        server.close();
        controlDir.close();
        listeners.close();
    }

    private TestWorkerClient connect() throws InterruptedException {
        TestWorkerClient client = new TestWorkerClient(clientGroup, controlDir.socketPath());
        clients.add(client);
        return client;
    }

    private double rejections(String reason) {
        Counter counter = registry.find(MetricNames.CONTROL_REJECTIONS).tag(MetricNames.TAG_REASON, reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Connects to the port and accepts that connection on {@code fd}: the fd is a live listening socket. */
    private static void assertAccepts(int fd, int port) throws Exception {
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            Socket listener = new Socket(fd);
            byte[] remote = new byte[32];
            int[] accepted = {-1};
            await().atMost(WAIT).until(() -> (accepted[0] = listener.accept(remote)) >= 0);
            new Socket(accepted[0]).close();
        }
    }

    /** Hello, the fds, SocketsReceived: a fully connected worker. */
    private TestWorkerClient handshake(int workerId) throws Exception {
        directory.expect(workerId, "secret-" + workerId, listeners.fdsForSlot(0));
        TestWorkerClient client = connect();
        client.send(new ControlMessage.Hello(workerId, "secret-" + workerId));
        await().atMost(WAIT).until(() -> client.fds.size() == 2);
        client.switchToBytes();
        client.send(new ControlMessage.SocketsReceived(2));
        assertThat(events.next()).isEqualTo("connected " + workerId);
        return client;
    }

    @Test
    void anAdmittedWorkerGetsLiveListeningSocketsThenTalksInFrames() throws Exception {
        directory.expect(1, "s3cret", listeners.fdsForSlot(0));
        TestWorkerClient client = connect();

        client.send(new ControlMessage.Hello(1, "s3cret"));

        await().atMost(WAIT).until(() -> client.fds.size() == 2);
        List<Integer> ports = listeners.boundPorts();
        for (int i = 0; i < 2; i++) {
            Socket received = new Socket(client.fds.get(i).intValue());
            assertThat(received.localAddress().getPort()).isEqualTo(ports.get(i));
            assertAccepts(received.intValue(), ports.get(i));
        }
        assertThat(directory.calls).containsExactly("1/" + MY_PID + "/" + new com.sun.security.auth.module.UnixSystem().getUid());
        assertThat(events.log).as("not connected before SocketsReceived").isEmpty();
        assertThat(client.unexpected).isEmpty();
        assertThat(client.frames).isEmpty();

        client.switchToBytes();
        client.send(new ControlMessage.SocketsReceived(2));
        assertThat(events.next()).isEqualTo("connected 1");

        client.send(new ControlMessage.Ready());
        client.send(new ControlMessage.Heartbeat(3));
        assertThat(events.next()).isEqualTo("message 1 Ready");
        assertThat(events.next()).isEqualTo("message 1 Heartbeat");
        assertThat(events.messages).contains(new ControlMessage.Heartbeat(3));

        events.links.get(1).send(new ControlMessage.Drain(250, 750));
        assertThat(client.frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new ControlMessage.Drain(250, 750));

        client.close();
        assertThat(events.next()).isEqualTo("disconnected 1");
        assertThat(registry.find(MetricNames.CONTROL_REJECTIONS).counters()).isEmpty();
    }

    @Test
    void theMasterKeepsItsListeningSocketsAfterSendingThem() throws Exception {
        int[] masterFds = listeners.fdsForSlot(0);
        handshake(1).close();
        assertThat(events.next()).isEqualTo("disconnected 1");

        TestWorkerClient second = handshake(2);

        assertThat(second.fds).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertAccepts(masterFds[i], listeners.boundPorts().get(i));
        }
    }

    @Test
    void aWrongSecretGetsNoSocketsAndIsCountedByReason() throws Exception {
        directory.expect(1, "s3cret", listeners.fdsForSlot(0));
        TestWorkerClient client = connect();

        client.send(new ControlMessage.Hello(1, "guess"));

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(client.fds).isEmpty();
        assertThat(rejections("bad_secret")).isEqualTo(1);
        assertThat(events.log).isEmpty();
    }

    @Test
    void anUnknownWorkerIdIsRefused() throws Exception {
        TestWorkerClient client = connect();

        client.send(new ControlMessage.Hello(42, "whatever"));

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(client.fds).isEmpty();
        assertThat(rejections("unknown_worker")).isEqualTo(1);
    }

    @Test
    void garbageClosesTheConnectionWithoutAskingTheDirectory() throws Exception {
        TestWorkerClient client = connect();

        client.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3});

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(rejections("garbage")).isEqualTo(1);
        assertThat(directory.calls).isEmpty();
    }

    @Test
    void aFrameOtherThanHelloFirstIsGarbage() throws Exception {
        TestWorkerClient client = connect();

        client.send(new ControlMessage.SocketsReceived(2));

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(rejections("garbage")).isEqualTo(1);
        assertThat(client.fds).isEmpty();
    }

    @Test
    void aHelloSplitAcrossWritesIsReassembled() throws Exception {
        directory.expect(3, "s3cret", listeners.fdsForSlot(0));
        TestWorkerClient client = connect();
        byte[] hello = ControlCodec.encode(new ControlMessage.Hello(3, "s3cret"));

        client.sendRaw(Arrays.copyOfRange(hello, 0, 3));
        Thread.sleep(50); // let the first half arrive alone (no synchronisation depends on it)
        client.sendRaw(Arrays.copyOfRange(hello, 3, hello.length));

        await().atMost(WAIT).until(() -> client.fds.size() == 2);
    }

    @Test
    void aSilentClientIsClosedAfterTheDeadline() throws Exception {
        server.close();
        startServer(Duration.ofMillis(200));
        TestWorkerClient client = connect();

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(rejections("timeout")).isEqualTo(1);
        assertThat(directory.calls).isEmpty();
    }

    @Test
    void aWorkerThatNeverConfirmsItsSocketsIsClosedAfterTheDeadlineAndNeverConnected() throws Exception {
        server.close();
        startServer(Duration.ofMillis(300));
        directory.expect(1, "s3cret", listeners.fdsForSlot(0));
        TestWorkerClient client = connect();

        client.send(new ControlMessage.Hello(1, "s3cret"));

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(client.fds).hasSize(2);
        assertThat(rejections("timeout")).isEqualTo(1);
        assertThat(events.log).isEmpty();
    }

    @Test
    void aWrongSocketCountIsRefused() throws Exception {
        directory.expect(1, "s3cret", listeners.fdsForSlot(0));
        TestWorkerClient client = connect();
        client.send(new ControlMessage.Hello(1, "s3cret"));
        await().atMost(WAIT).until(() -> client.fds.size() == 2);
        client.switchToBytes();

        client.send(new ControlMessage.SocketsReceived(1));

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(rejections("garbage")).isEqualTo(1);
        assertThat(events.log).isEmpty();
    }

    @Test
    void aConnectedWorkerSendingMasterFramesIsDisconnected() throws Exception {
        TestWorkerClient client = handshake(1);

        client.send(new ControlMessage.Stop());

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(events.next()).isEqualTo("disconnected 1");
        assertThat(rejections("garbage")).isEqualTo(1);
    }

    @Test
    void aClosedLinkDropsFramesSilently() throws Exception {
        TestWorkerClient client = handshake(1);
        WorkerLink link = events.links.get(1);

        link.close();
        assertThat(events.next()).isEqualTo("disconnected 1");
        link.send(new ControlMessage.Stop());

        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(client.frames).isEmpty();
    }

    @Test
    void closingTheServerDisconnectsWorkersAndRemovesTheSocketFile() throws Exception {
        TestWorkerClient client = handshake(1);

        server.close();

        assertThat(events.next()).isEqualTo("disconnected 1");
        await().atMost(WAIT).until(() -> !client.isOpen());
        assertThat(controlDir.socketPath()).doesNotExist();
        startServer(ControlServer.DEFAULT_HANDSHAKE_TIMEOUT); // for tearDown
    }

    @Test
    void aSocketPathThatCannotBeBoundIsNamed() {
        Path impossible = tmp.resolve("missing-dir/control.sock");

        assertThatThrownBy(() -> ControlServer.start(impossible, directory, events, registry))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(impossible.toString());
    }
}
