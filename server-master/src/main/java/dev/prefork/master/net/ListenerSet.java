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
 * non-blocking, SO_REUSEADDR, dual-stack). With reuse-port, each worker slot gets its own SO_REUSEPORT socket
 * per address, all on the same port.
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
    private final List<InetSocketAddress> addresses;
    private final List<Integer> ports;
    private final int backlog;
    private final boolean reusePort;
    /** reusePort: one list of sockets per slot, in address order; otherwise a single shared list. */
    private final List<List<Socket>> slots = new ArrayList<>();
    private boolean closed;

    private ListenerSet(List<BindAddress> requested, List<InetSocketAddress> addresses, List<Integer> ports, int backlog,
                        boolean reusePort) {
        this.requested = List.copyOf(requested);
        this.addresses = addresses;
        this.ports = ports;
        this.backlog = backlog;
        this.reusePort = reusePort;
    }

    /**
     * @param slots number of worker slots; only used with {@code reusePort} (one socket per slot and address)
     * @throws BindException when an address is in use or not permitted
     * @throws dev.prefork.core.config.ConfigException when a host does not resolve
     */
    public static ListenerSet bind(List<BindAddress> addresses, int backlog, boolean reusePort, int slots) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to bind");
        }
        if (reusePort && slots < 1) {
            throw new IllegalArgumentException("reuse-port needs at least one slot, not " + slots);
        }
        Epoll.ensureAvailability();
        List<InetSocketAddress> resolved = new ArrayList<>();
        for (BindAddress address : addresses) {
            resolved.add(address.resolve(OPTION));
        }
        List<Integer> ports = new ArrayList<>();
        List<Socket> shared = new ArrayList<>();
        try {
            for (int i = 0; i < resolved.size(); i++) {
                if (reusePort) {
                    ports.add(probeFreePort(addresses.get(i), resolved.get(i)));
                } else {
                    Socket socket = listen(addresses.get(i), resolved.get(i), false, backlog);
                    shared.add(socket);
                    ports.add(socket.localAddress().getPort());
                }
            }
        } catch (RuntimeException e) {
            closeQuietly(shared);
            throw e;
        }
        ListenerSet set = new ListenerSet(addresses, resolved, List.copyOf(ports), backlog, reusePort);
        if (reusePort) {
            try {
                set.ensureSlots(slots);
            } catch (RuntimeException e) {
                set.close();
                throw e;
            }
        } else {
            set.slots.add(shared);
        }
        log.info("listening on {} (backlog {}, {})", set.describe(), backlog,
                reusePort ? "reuse-port, " + slots + " sockets per address" : "one shared socket per address");
        return set;
    }

    /** The fds for worker slot {@code slot}, one per address, in {@code --bind} order. */
    public synchronized int[] fdsForSlot(int slot) {
        if (closed) {
            throw new IllegalStateException("listening sockets are closed");
        }
        List<Socket> sockets;
        if (reusePort) {
            if (slot < 0 || slot >= slots.size()) {
                throw new IllegalArgumentException("slot " + slot + " outside 0.." + (slots.size() - 1)
                        + "; call ensureSlots first");
            }
            sockets = slots.get(slot);
        } else {
            sockets = slots.get(0);
        }
        int[] fds = new int[sockets.size()];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = sockets.get(i).intValue();
        }
        return fds;
    }

    /** Actual bound ports in {@code --bind} order (port 0 resolves to the kernel's choice). */
    public List<Integer> boundPorts() {
        return ports;
    }

    /** Slots with sockets of their own (reuse-port), or 1 when every slot shares the same sockets. */
    public synchronized int slotCount() {
        return slots.size();
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
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < addresses.size(); i++) {
                    InetSocketAddress at = new InetSocketAddress(addresses.get(i).getAddress(), ports.get(i));
                    sockets.add(listen(boundAddress(i), at, true, backlog));
                }
            } catch (RuntimeException e) {
                closeQuietly(sockets);
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
            closeQuietly(slots.remove(slots.size() - 1));
        }
    }

    /** Closes the master's copies of every socket; workers keep theirs. Close the control server first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (List<Socket> sockets : slots) {
            closeQuietly(sockets);
        }
        slots.clear();
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
        return new BindAddress(requested.get(index).host(), ports.get(index));
    }

    private String describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            out.add(boundAddress(i).toString());
        }
        return String.join(", ", out);
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
