package dev.prefork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.control.ControlMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientConnectionsTest {

    /** The inode of the socket behind a file descriptor this JVM holds, found by its local port in /proc. */
    private static long listenerInode(ServerSocket server) throws IOException {
        String port = String.format("%04X", server.getLocalPort());
        for (String table : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(":" + port) && f[3].equals("0A")) {
                    return Long.parseLong(f[9]);
                }
            }
        }
        throw new IllegalStateException("no LISTEN entry for port " + server.getLocalPort());
    }

    @Test
    void countsTheAcceptedConnectionsOfTheListenersPortThatThisJvmHolds() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ClientConnections connections = ClientConnections.ofListener(listenerInode(server));
            assertThat(connections.port()).isEqualTo(server.getLocalPort());
            assertThat(connections.count()).isZero();

            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
                // Connected but not accepted: the kernel's queue holds it, no fd of the server's yet.
                assertThat(connections.count()).as("not accepted yet").isZero();
                try (Socket accepted = server.accept();
                     Socket toOther = new Socket(other.getInetAddress(), other.getLocalPort());
                     Socket acceptedByOther = other.accept()) {
                    // The client's own end has the listener's port as its remote port, not local: not counted.
                    assertThat(connections.count()).as("one accepted on the port; the other port's not counted").isEqualTo(1);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> connections.count() == 0);
            }
        }
    }

    @Test
    void aSocketThatIsNoListenerIsRefusedByName() {
        assertThatThrownBy(() -> ClientConnections.ofListener(1)).isInstanceOf(IOException.class)
                .hasMessageContaining("inode 1");
    }

    @Test
    void theWaitForConnectionsLeavesTheApplicationPartOfTheBudgetForItsOwnShutdown() {
        assertThat(ExecWorker.connectionWaitMillis(new ControlMessage.Drain(0, 20_000))).isEqualTo(15_000);
        assertThat(ExecWorker.connectionWaitMillis(new ControlMessage.Drain(5_000, 35_000))).isEqualTo(25_000);
        assertThat(ExecWorker.connectionWaitMillis(new ControlMessage.Drain(0, 2_000))).isEqualTo(1_000);
        assertThat(ExecWorker.connectionWaitMillis(new ControlMessage.Drain(0, 0))).isZero();
    }
}
