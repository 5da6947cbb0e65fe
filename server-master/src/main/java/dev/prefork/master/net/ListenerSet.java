package dev.prefork.master.net;

import dev.prefork.core.config.BindAddress;
import java.util.List;

/**
 * The master's listening sockets, bound before any worker is spawned (Netty {@code io.netty.channel.unix.Socket}:
 * non-blocking, SO_REUSEADDR, dual-stack). With reuse-port, each worker slot gets its own SO_REUSEPORT socket
 * per address. TODO(H2b): implement.
 */
public final class ListenerSet implements AutoCloseable {

    /**
     * @param slots number of worker slots; only used with {@code reusePort} (one socket per slot and address)
     * @throws BindException when an address is in use or not permitted
     */
    public static ListenerSet bind(List<BindAddress> addresses, int backlog, boolean reusePort, int slots) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The fds for worker slot {@code slot}, one per address, in {@code --bind} order. */
    public int[] fdsForSlot(int slot) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Actual bound ports in {@code --bind} order (port 0 resolves to the kernel's choice). */
    public List<Integer> boundPorts() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
