package dev.prefork.examples.exectest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A process's TCP sockets, from Linux's /proc: the socket inodes among its fds, matched against the entries of
 * /proc/net/tcp and tcp6 (those list every socket of the network namespace, not per process).
 */
public final class ProcessSockets {
    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    private ProcessSockets() {
    }

    /** Local ports of the sockets the process holds in LISTEN state. */
    public static List<Integer> listeningPorts(long pid) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (Entry e : entriesOf(pid)) {
            if (e.state().equals(LISTEN)) {
                ports.add(e.localPort());
            }
        }
        return ports;
    }

    /** Connections to {@code port} the process has accepted (an fd of its own) and not yet closed. */
    public static long acceptedConnections(long pid, int port) throws IOException {
        return entriesOf(pid).stream().filter(e -> e.state().equals(ESTABLISHED) && e.localPort() == port).count();
    }

    private record Entry(String state, int localPort) {
    }

    private static List<Entry> entriesOf(long pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        List<Entry> entries = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (inodes.contains(f[9])) {
                    String local = f[1];
                    entries.add(new Entry(f[3], Integer.parseInt(local.substring(local.indexOf(':') + 1), 16)));
                }
            }
        }
        return entries;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        return inodes;
    }
}
