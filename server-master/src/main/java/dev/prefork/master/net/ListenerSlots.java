package dev.prefork.master.net;

/**
 * Per-slot listening sockets (reuse-port: one SO_REUSEPORT socket per slot and address). Without reuse-port every
 * slot shares the same sockets and both calls do nothing.
 */
public interface ListenerSlots {
    /** Binds sockets for slots {@code 0..count-1} that have none yet; throws BindException if that fails. */
    void ensureSlots(int count);

    /**
     * Closes the master's sockets of slots {@code >= count}: with reuse-port the kernel keeps routing a share of
     * new connections to every open slot socket, so a slot without a worker must not stay open.
     */
    void shrinkTo(int count);
}
