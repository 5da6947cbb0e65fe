package dev.prefork.agent;

import dev.prefork.agent.os.Posix;
import dev.prefork.core.ExitCodes;
import java.io.IOException;
import java.nio.channels.Channel;

/**
 * Puts the first listening socket where servers take an inherited one: fd 0 ({@code System.inheritedChannel()})
 * and, if asked, fd N; and takes it away again for a drain.
 */
final class InheritedListeners {
    private final int extraFd;
    private final long inode;

    private InheritedListeners(int extraFd, long inode) {
        this.extraFd = extraFd;
        this.inode = inode;
    }

    /**
     * Takes fd N before the handshake creates fds, so that neither the control socket nor a received fd lands on
     * it. Refuses an N the JVM already uses.
     */
    static void reserve(int extraFd) throws BootFailure {
        if (extraFd <= 0) {
            return;
        }
        if (Posix.isOpen(extraFd)) {
            throw new BootFailure("--worker-fd " + extraFd + ": fd " + extraFd + " is already open in the worker JVM; "
                    + "choose a free fd number (for example 100)", ExitCodes.WORKER_BOOT_ERROR, null);
        }
        try {
            Posix.devNullOnto(extraFd);
        } catch (IOException e) {
            throw new BootFailure("--worker-fd " + extraFd + ": " + e.getMessage(), ExitCodes.WORKER_BOOT_ERROR, e);
        }
    }

    /** dup2s the first received socket onto fd 0 (replacing the stdin pipe) and fd N, then closes the received fds. */
    static InheritedListeners place(int[] received, int extraFd) throws BootFailure {
        int first = received[0];
        try {
            if (!Posix.isListeningInet(first)) {
                throw new BootFailure("the master passed fd " + first + " which is not a listening TCP socket",
                        ExitCodes.WORKER_HANDSHAKE_FAILED, null);
            }
            Posix.dup2(first, 0);
            if (extraFd > 0) {
                Posix.dup2(first, extraFd);
            }
            long inode = Posix.inode(0);
            for (int fd : received) {
                Posix.close(fd);
            }
            if (received.length > 1) {
                AgentLog.info("the master passed " + received.length + " listening sockets; exec workers serve only "
                        + "the first (fd 0" + (extraFd > 0 ? " and fd " + extraFd : "") + ")");
            }
            return new InheritedListeners(extraFd, inode);
        } catch (IOException e) {
            throw new BootFailure("placing the listening socket at fd 0" + (extraFd > 0 ? " and fd " + extraFd : "")
                    + " failed: " + e.getMessage(), ExitCodes.WORKER_BOOT_ERROR, e);
        }
    }

    long inode() {
        return inode;
    }

    String describe() {
        return extraFd > 0 ? "fd 0 and fd " + extraFd : "fd 0";
    }

    /**
     * Stops this process holding the listener: closes the inherited channel (the one Tomcat/Jetty hold), saving
     * fds 1 and 2 around it because OpenJDK then points fds 0-2 at /dev/null, and points fd N at /dev/null.
     */
    void close() throws IOException {
        int savedOut = Posix.dup(1);
        int savedErr = Posix.dup(2);
        try {
            Channel inherited = System.inheritedChannel();
            if (inherited != null) {
                inherited.close();
            } else {
                Posix.devNullOnto(0);
            }
        } finally {
            Posix.dup2(savedOut, 1);
            Posix.dup2(savedErr, 2);
            Posix.close(savedOut);
            Posix.close(savedErr);
        }
        if (extraFd > 0) {
            Posix.devNullOnto(extraFd);
        }
    }
}
