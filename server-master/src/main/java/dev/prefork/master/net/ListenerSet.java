package dev.prefork.master.net;

import dev.prefork.core.config.BindAddress;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's listening sockets, bound before any worker is spawned (Netty {@code io.netty.channel.unix.Socket}:
 * non-blocking, SO_REUSEADDR, dual-stack), or adopted from systemd socket activation. With reuse-port, each worker
 * slot gets its own SO_REUSEPORT socket per TCP address, all on the same port. A Unix socket ({@code unix:/path})
 * is always one socket shared by every slot: SO_REUSEPORT balances only TCP and UDP, and a second bind on the same
 * path fails.
 *
 * <p>The fds are not close-on-exec, but the JDK closes every fd above 2 in the children it starts, so workers only
 * get them through the control socket. Thread-safe. With reuse-port, every slot socket that stays open gets its
 * share of new connections, so a slot without a worker delays them until a worker serves that slot again:
 * {@link #shrinkTo} the slots when the pool shrinks.
 */
public final class ListenerSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ListenerSet.class);
    private static final String OPTION = "--bind";

    private final List<BindAddress> requested;
    /** Resolved TCP addresses; null for Unix ones. */
    private final List<InetSocketAddress> addresses;
    private final List<Integer> ports;
    private final int backlog;
    private final boolean reusePort;
    /** Sockets every slot shares, by address index: all without reuse-port; with it, only the Unix ones. */
    private final Socket[] shared;
    /** Reuse-port: per slot, its own TCP sockets by address index (null where {@link #shared} has one). */
    private final List<Socket[]> slots = new ArrayList<>();
    /** The Unix socket files this master created, removed at close. */
    private final List<UnixSocketFile> unixFiles;
    private boolean closed;
    /** For logs: the addresses as bound, or the adopted sockets' names. */
    private List<String> names;

    private ListenerSet(List<BindAddress> requested, List<InetSocketAddress> addresses, List<Integer> ports, int backlog,
                        boolean reusePort, Socket[] shared, List<UnixSocketFile> unixFiles) {
        this.requested = List.copyOf(requested);
        this.addresses = addresses;
        this.ports = ports;
        this.backlog = backlog;
        this.reusePort = reusePort;
        this.shared = shared;
        this.unixFiles = unixFiles;
        List<String> bound = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            bound.add(boundAddress(i).toString());
        }
        this.names = bound;
    }

    /**
     * Binds with a Unix socket mode 0660 and the master's ownership.
     *
     * @see #bind(List, int, boolean, int, int, String)
     */
    public static ListenerSet bind(List<BindAddress> addresses, int backlog, boolean reusePort, int slots) {
        return bind(addresses, backlog, reusePort, slots, 0660, null);
    }

    /**
     * @param slots     number of worker slots; only used with {@code reusePort} (one socket per slot and TCP address)
     * @param unixMode  permission bits of Unix socket files
     * @param unixOwner {@code user[:group]} or {@code :group} of Unix socket files, or null
     * @throws BindException when an address is in use or not permitted
     * @throws dev.prefork.core.config.ConfigException when a host does not resolve
     */
    public static ListenerSet bind(List<BindAddress> addresses, int backlog, boolean reusePort, int slots,
                                   int unixMode, String unixOwner) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to bind");
        }
        if (reusePort && slots < 1) {
            throw new IllegalArgumentException("reuse-port needs at least one slot, not " + slots);
        }
        Epoll.ensureAvailability();
        List<InetSocketAddress> resolved = new ArrayList<>();
        for (BindAddress address : addresses) {
            resolved.add(address.isUnix() ? null : address.resolve(OPTION));
        }
        List<Integer> ports = new ArrayList<>();
        Socket[] shared = new Socket[addresses.size()];
        List<UnixSocketFile> unixFiles = new ArrayList<>();
        try {
            for (int i = 0; i < resolved.size(); i++) {
                BindAddress address = addresses.get(i);
                if (address.isUnix()) {
                    UnixSocketFile file = UnixSocketFile.listen(address, unixMode, unixOwner, backlog);
                    unixFiles.add(file);
                    shared[i] = file.socket();
                    ports.add(0);
                } else if (reusePort) {
                    ports.add(probeFreePort(address, resolved.get(i)));
                } else {
                    Socket socket = listen(address, resolved.get(i), false, backlog);
                    shared[i] = socket;
                    ports.add(socket.localAddress().getPort());
                }
            }
        } catch (RuntimeException e) {
            unixFiles.forEach(UnixSocketFile::closeAndRemove);
            for (int i = 0; i < shared.length; i++) {
                if (shared[i] != null && !addresses.get(i).isUnix()) {
                    closeQuietly(List.of(shared[i]));
                }
            }
            throw e;
        }
        ListenerSet set = new ListenerSet(addresses, resolved, List.copyOf(ports), backlog, reusePort, shared, unixFiles);
        if (reusePort) {
            try {
                set.ensureSlots(slots);
            } catch (RuntimeException e) {
                set.close();
                throw e;
            }
        }
        log.info("listening on {} (backlog {}, {})", set.describe(), backlog,
                reusePort ? "reuse-port, " + slots + " sockets per TCP address; Unix sockets shared"
                        : "one shared socket per address");
        return set;
    }

    /**
     * Sockets the master did not bind (systemd socket activation): every slot shares them, reuse-port has no say, and
     * no socket file is removed at exit (the socket unit owns it).
     *
     * @param sockets listening stream sockets, in fd order
     * @param names   how to name each in logs, e.g. {@code fd 3 (127.0.0.1:8000)}
     */
    public static ListenerSet adopt(List<Socket> sockets, List<String> names) {
        Socket[] shared = sockets.toArray(new Socket[0]);
        List<Integer> ports = new ArrayList<>();
        List<InetSocketAddress> none = new ArrayList<>();
        for (int i = 0; i < shared.length; i++) {
            ports.add(0);
            none.add(null);
        }
        ListenerSet set = new ListenerSet(List.of(), none, List.copyOf(ports), 0, false, shared, List.of());
        set.names = List.copyOf(names);
        return set;
    }

    /** The fds for worker slot {@code slot}, one per address, in {@code --bind} order. */
    public synchronized int[] fdsForSlot(int slot) {
        if (closed) {
            throw new IllegalStateException("listening sockets are closed");
        }
        if (reusePort && (slot < 0 || slot >= slots.size())) {
            throw new IllegalArgumentException("slot " + slot + " outside 0.." + (slots.size() - 1)
                    + "; call ensureSlots first");
        }
        int[] fds = new int[shared.length];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = (shared[i] != null ? shared[i] : slots.get(slot)[i]).intValue();
        }
        return fds;
    }

    /** Sockets each worker receives. */
    public int socketCount() {
        return shared.length;
    }

    /** Actual bound ports in {@code --bind} order (port 0 resolves to the kernel's choice; 0 for Unix sockets). */
    public List<Integer> boundPorts() {
        return ports;
    }

    /** Slots with sockets of their own (reuse-port), or 1 when every slot shares the same sockets. */
    public synchronized int slotCount() {
        return reusePort ? slots.size() : 1;
    }

    /**
     * Reuse-port: binds sockets for slots up to {@code count} on the already bound ports (TTIN). No-op otherwise.
     *
     * @throws BindException when a port can no longer be bound
     */
    public synchronized void ensureSlots(int count) {
        if (!reusePort) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("listening sockets are closed");
        }
        while (slots.size() < count) {
            Socket[] sockets = new Socket[shared.length];
            try {
                for (int i = 0; i < addresses.size(); i++) {
                    if (shared[i] == null) {
                        InetSocketAddress at = new InetSocketAddress(addresses.get(i).getAddress(), ports.get(i));
                        sockets[i] = listen(boundAddress(i), at, true, backlog);
                    }
                }
            } catch (RuntimeException e) {
                closeQuietly(slotSockets(sockets));
                throw e;
            }
            slots.add(sockets);
        }
    }

    /**
     * Reuse-port: closes the master's copies of the sockets of slots {@code >= count} (TTOU). A worker still holding
     * them keeps them open until it exits; connections queued on a closed slot socket are reset then.
     * Do not shrink while a worker of those slots may still be receiving its fds. No-op without reuse-port.
     */
    public synchronized void shrinkTo(int count) {
        if (!reusePort) {
            return;
        }
        while (slots.size() > Math.max(count, 1)) {
            closeQuietly(slotSockets(slots.remove(slots.size() - 1)));
        }
    }

    /**
     * Closes the master's copies of every socket and removes the Unix socket files it created; workers keep their
     * copies. Close the control server first.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Socket[] sockets : slots) {
            closeQuietly(slotSockets(sockets));
        }
        slots.clear();
        List<Socket> plain = new ArrayList<>(slotSockets(shared));
        for (UnixSocketFile file : unixFiles) {
            plain.remove(file.socket());
        }
        closeQuietly(plain);
        unixFiles.forEach(UnixSocketFile::closeAndRemove);
    }

    private static List<Socket> slotSockets(Socket[] sockets) {
        List<Socket> out = new ArrayList<>();
        for (Socket s : sockets) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Binds a socket without SO_REUSEPORT to learn the port (for port 0) and to fail if anything holds the address:
     * a foreign SO_REUSEPORT socket of the same user would otherwise silently share our connections.
     */
    private static int probeFreePort(BindAddress address, InetSocketAddress resolved) {
        Socket probe = listen(address, resolved, false, 0);
        try {
            return probe.localAddress().getPort();
        } finally {
            closeQuietly(List.of(probe));
        }
    }

    private static Socket listen(BindAddress address, InetSocketAddress resolved, boolean reusePort, int backlog) {
        Socket socket = Socket.newSocketStream();
        String step = "setsockopt";
        try {
            socket.setReuseAddress(true);
            if (reusePort) {
                socket.setReusePort(true);
            }
            step = "bind";
            socket.bind(resolved);
            step = "listen";
            socket.listen(backlog);
            return socket;
        } catch (IOException e) {
            closeQuietly(List.of(socket));
            throw bindFailure(address, step, e);
        }
    }

    static BindException bindFailure(BindAddress address, String call, IOException e) {
        int errno = e instanceof Errors.NativeIoException ? -((Errors.NativeIoException) e).expectedErr() : 0;
        String problemAndRemedy;
        switch (errno) {
            case 98: // EADDRINUSE
                problemAndRemedy = "address already in use (" + call + ": EADDRINUSE); stop the process that holds"
                        + " it (ss -ltnp) or choose another port";
                break;
            case 13: // EACCES
                problemAndRemedy = "permission denied (" + call + ": EACCES); " + (address.port() > 0 && address.port() < 1024
                        ? "use a port >= 1024 or grant CAP_NET_BIND_SERVICE"
                        : "check the security policy (SELinux, AppArmor, seccomp) that forbids it");
                break;
            case 99: // EADDRNOTAVAIL
                problemAndRemedy = "address not available on this host (" + call + ": EADDRNOTAVAIL); bind an address"
                        + " of a local interface, or 0.0.0.0";
                break;
            case 97: // EAFNOSUPPORT
                problemAndRemedy = "address family not supported (" + call + ": EAFNOSUPPORT); IPv6 may be disabled"
                        + " here: bind an IPv4 address";
                break;
            default:
                problemAndRemedy = "cannot bind (" + e.getMessage() + "); check the address";
        }
        return new BindException(OPTION + " " + address + ": " + problemAndRemedy, e);
    }

    /** The address as the user wrote it, with the port actually bound. */
    private BindAddress boundAddress(int index) {
        BindAddress asWritten = requested.get(index);
        return asWritten.isUnix() ? asWritten : new BindAddress(asWritten.host(), ports.get(index));
    }

    private String describe() {
        return String.join(", ", names);
    }

    private static void closeQuietly(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                log.warn("closing listening socket fd {} failed: {}", socket.intValue(), e.toString());
            }
        }
    }
}
