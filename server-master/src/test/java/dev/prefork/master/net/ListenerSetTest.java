package dev.prefork.master.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.config.BindAddress;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListenerSetTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        started.forEach(Process::destroyForcibly);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ListenerSet bind(List<BindAddress> addresses, boolean reusePort, int slots) {
        ListenerSet set = ListenerSet.bind(addresses, 128, reusePort, slots);
        toClose.add(set);
        return set;
    }

    /** Connects to the port and accepts the connection on {@code fd}: the fd is a live listening socket. */
    private static void assertAccepts(int fd, String host, int port) throws Exception {
        try (java.net.Socket client = new java.net.Socket(host, port)) {
            Socket listener = new Socket(fd);
            byte[] remote = new byte[32];
            int[] accepted = {-1};
            // Non-blocking accept: poll until the kernel has queued the connection.
            await().atMost(Duration.ofSeconds(5)).until(() -> (accepted[0] = listener.accept(remote)) >= 0);
            new Socket(accepted[0]).close();
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void bindsIpv4AndIpv6LoopbackOnEphemeralPorts() throws Exception {
        ListenerSet set = bind(List.of(new BindAddress("127.0.0.1", 0), new BindAddress("::1", 0)), false, 4);

        List<Integer> ports = set.boundPorts();
        assertThat(ports).hasSize(2).allSatisfy(p -> assertThat(p).isPositive());
        int[] fds = set.fdsForSlot(0);
        assertThat(fds).hasSize(2);
        assertThat(new Socket(fds[0]).localAddress().getPort()).isEqualTo(ports.get(0));
        assertThat(new Socket(fds[1]).localAddress().getPort()).isEqualTo(ports.get(1));
        assertAccepts(fds[0], "127.0.0.1", ports.get(0));
        assertAccepts(fds[1], "::1", ports.get(1));
    }

    @Test
    void withoutReusePortEverySlotSharesTheSameFds() {
        ListenerSet set = bind(List.of(new BindAddress("127.0.0.1", 0)), false, 3);

        assertThat(set.fdsForSlot(0)).isEqualTo(set.fdsForSlot(1)).isEqualTo(set.fdsForSlot(7));
        assertThat(set.slotCount()).isEqualTo(1);
    }

    @Test
    void reusePortGivesEachSlotItsOwnSocketOnTheSamePort() throws Exception {
        ListenerSet set = bind(List.of(new BindAddress("127.0.0.1", 0)), true, 4);

        int port = set.boundPorts().get(0);
        Set<Integer> fds = new HashSet<>();
        for (int slot = 0; slot < 4; slot++) {
            int fd = set.fdsForSlot(slot)[0];
            fds.add(fd);
            Socket socket = new Socket(fd);
            assertThat(socket.localAddress().getPort()).isEqualTo(port);
            assertThat(socket.isReusePort()).isTrue();
        }
        assertThat(fds).hasSize(4);
        assertThatThrownBy(() -> set.fdsForSlot(4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reusePortSlotsGrowAndShrink() throws Exception {
        ListenerSet set = bind(List.of(new BindAddress("127.0.0.1", 0)), true, 2);
        int port = set.boundPorts().get(0);

        set.ensureSlots(3);
        int third = set.fdsForSlot(2)[0];
        assertThat(new Socket(third).localAddress().getPort()).isEqualTo(port);
        assertThat(set.slotCount()).isEqualTo(3);

        set.shrinkTo(1);
        assertThat(set.slotCount()).isEqualTo(1);
        assertThatThrownBy(() -> set.fdsForSlot(1)).isInstanceOf(IllegalArgumentException.class);
        assertAccepts(set.fdsForSlot(0)[0], "127.0.0.1", port);
    }

    @Test
    void addressInUseIsABindExceptionNamingTheAddress() throws Exception {
        try (ServerSocket occupant = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = occupant.getLocalPort();
            for (boolean reusePort : new boolean[] {false, true}) {
                assertThatThrownBy(() -> bind(List.of(new BindAddress("127.0.0.1", port)), reusePort, 2))
                        .isInstanceOf(BindException.class)
                        .hasMessageStartingWith("--bind 127.0.0.1:" + port + ": address already in use")
                        .hasMessageContaining("EADDRINUSE")
                        .hasMessageContaining("choose another port");
            }
        }
    }

    @Test
    void permissionDeniedNamesTheRemedy() {
        // Root may bind low ports here, so feed the errno directly.
        BindException low = ListenerSet.bindFailure(new BindAddress("127.0.0.1", 80), "bind",
                new Errors.NativeIoException("bind", -13));
        assertThat(low).hasMessage("--bind 127.0.0.1:80: permission denied (bind: EACCES); use a port >= 1024 or grant"
                + " CAP_NET_BIND_SERVICE");

        BindException high = ListenerSet.bindFailure(new BindAddress("127.0.0.1", 8000), "bind",
                new Errors.NativeIoException("bind", -13));
        assertThat(high.getMessage()).startsWith("--bind 127.0.0.1:8000: permission denied").contains("security policy");
    }

    @Test
    void anAddressOfNoLocalInterfaceIsReported() {
        // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
        assertThatThrownBy(() -> bind(List.of(new BindAddress("192.0.2.1", 0)), false, 1))
                .isInstanceOf(BindException.class)
                .hasMessageStartingWith("--bind 192.0.2.1:0: address not available on this host (bind: EADDRNOTAVAIL)");
    }

    @Test
    void reusePortRefusesAPortHeldByAnotherReusePortSocket() throws Exception {
        // Another process of the same user with SO_REUSEPORT would otherwise silently share our connections.
        ListenerSet other = bind(List.of(new BindAddress("127.0.0.1", 0)), true, 1);
        int port = other.boundPorts().get(0);

        assertThatThrownBy(() -> bind(List.of(new BindAddress("127.0.0.1", port)), true, 2))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aFailedSecondAddressClosesTheFirst() throws Exception {
        try (ServerSocket occupant = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int busy = occupant.getLocalPort();
            int free;
            try (ServerSocket probe = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
                free = probe.getLocalPort();
            }
            assertThatThrownBy(() -> bind(List.of(new BindAddress("127.0.0.1", free), new BindAddress("127.0.0.1", busy)),
                    false, 1)).isInstanceOf(BindException.class);
            // The first address was released: it can be bound again.
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", free));
                assertThat(again.isBound()).isTrue();
            }
        }
    }

    @Test
    void closeReleasesThePorts() throws Exception {
        ListenerSet set = ListenerSet.bind(List.of(new BindAddress("127.0.0.1", 0)), 128, true, 2);
        int port = set.boundPorts().get(0);
        set.close();
        set.close();

        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(again.isBound()).isTrue();
        }
        assertThatThrownBy(() -> set.fdsForSlot(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void childProcessesDoNotInheritTheListeningSockets() throws Exception {
        ListenerSet set = bind(List.of(new BindAddress("127.0.0.1", 0)), true, 2);
        int[] fds = {set.fdsForSlot(0)[0], set.fdsForSlot(1)[0]};
        String mine = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fds[0])).toString();
        assertThat(mine).startsWith("socket:");

        Process child = new ProcessBuilder("sh", "-c", "for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done")
                .redirectErrorStream(true).start();
        started.add(child);
        String listing = new String(child.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(listing).contains("0 ", "1 ", "2 ");
        assertThat(listing.lines()).noneMatch(line -> line.contains("socket:"));
        assertThat(listing.lines().map(line -> line.split(" ")[0]))
                .doesNotContainAnyElementsOf(Arrays.stream(fds).mapToObj(Integer::toString).toList());
    }
}
