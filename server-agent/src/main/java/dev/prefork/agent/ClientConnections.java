package dev.prefork.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client connections this JVM has accepted on the listening port and not yet closed, found without the
 * server's help: the socket inodes among {@code /proc/self/fd}, matched against the ESTABLISHED entries of
 * {@code /proc/self/net/tcp} and {@code tcp6} (which list the whole network namespace) whose local port is the
 * listener's. Other workers' connections on the same port are not this JVM's fds, so they do not count.
 */
final class ClientConnections {
    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";
    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6"));

    private final int port;

    private ClientConnections(int port) {
        this.port = port;
    }

    /** For the listening socket with this inode; call while it is still open (its entry names the port). */
    static ClientConnections ofListener(long listenerInode) throws IOException {
        String inode = Long.toString(listenerInode);
        for (Path table : TABLES) {
            for (String line : rows(table)) {
                String[] f = fields(line);
                if (f != null && f[3].equals(LISTEN) && f[9].equals(inode)) {
                    return new ClientConnections(localPort(f[1]));
                }
            }
        }
        throw new IOException("listening socket inode " + listenerInode + " is not in " + TABLES);
    }

    int port() {
        return port;
    }

    /** How many accepted connections on the port this JVM holds open now. */
    int count() throws IOException {
        Set<String> ours = socketInodes();
        int n = 0;
        for (Path table : TABLES) {
            for (String line : rows(table)) {
                String[] f = fields(line);
                if (f != null && f[3].equals(ESTABLISHED) && ours.contains(f[9]) && localPort(f[1]) == port) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Set<String> socketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException | java.nio.file.NotLinkException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        return inodes;
    }

    private static List<String> rows(Path table) throws IOException {
        try {
            List<String> lines = Files.readAllLines(table);
            return lines.isEmpty() ? lines : lines.subList(1, lines.size());
        } catch (NoSuchFileException noIpv6) {
            return List.of();
        }
    }

    /** {@code sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...}; null if short. */
    private static String[] fields(String line) {
        String[] f = line.trim().split("\\s+");
        return f.length > 9 ? f : null;
    }

    /** {@code 0100007F:1F90} (hex address:port) to 8080. */
    private static int localPort(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }
}
