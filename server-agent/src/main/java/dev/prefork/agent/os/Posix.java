package dev.prefork.agent.os;

import java.io.IOException;

/**
 * The agent's system calls, in a tiny JNI library (src/main/c). Every failure is an IOException naming the call
 * and errno. Load it once with {@link NativeLibrary#load()} before any call.
 */
public final class Posix {
    public static final int SIGTERM = 15;

    private Posix() {
    }

    /** Reads up to a newline, one byte per read(2) so nothing after the line is consumed. */
    public static native byte[] readLine(int fd, int maxBytes) throws IOException;

    /** A connected AF_UNIX stream socket, FD_CLOEXEC. */
    public static native int connectUnix(String path) throws IOException;

    public static native void sendAll(int fd, byte[] bytes, int offset, int length) throws IOException;

    /** Bytes read, 0 at end of file. */
    public static native int recv(int fd, byte[] bytes, int offset, int length) throws IOException;

    /** One recvmsg(2) of one data byte and its SCM_RIGHTS fds (FD_CLOEXEC set); null at end of file. */
    public static native int[] recvFds(int fd) throws IOException;

    /** A copy of fd at 3 or above, FD_CLOEXEC. */
    public static native int dup(int fd) throws IOException;

    /** dup2(2): {@code to} becomes {@code from}, without FD_CLOEXEC. */
    public static native void dup2(int from, int to) throws IOException;

    public static native void close(int fd) throws IOException;

    /** shutdown(2) with SHUT_RD: a thread blocked reading the socket gets end of file. */
    public static native void shutdownInput(int fd) throws IOException;

    /** Points fd at /dev/null, keeping the number taken (a later close by its owner closes nothing else). */
    public static native void devNullOnto(int fd) throws IOException;

    public static native boolean isOpen(int fd);

    public static native void killSelf(int signal) throws IOException;

    /** The fd's inode (fstat): dups of one socket share it. */
    public static native long inode(int fd) throws IOException;

    /** Whether fd is a listening TCP socket (AF_INET/AF_INET6 with SO_ACCEPTCONN). */
    public static native boolean isListeningInet(int fd);

    /** Inodes of every listening TCP socket this process holds. */
    public static native long[] listeningInetSockets() throws IOException;

    /**
     * Whether a thread of this process waits to accept on the listening socket with this inode, under any fd
     * number ({@code System.inheritedChannel()} holds a dup of fd 0): blocked in accept(2)/accept4(2) on it, or
     * in poll(2)/ppoll(2) for its input (a channel in blocking mode over a non-blocking socket), or an epoll set
     * watching it. Read from /proc/self. Not thread-safe: one caller thread only.
     */
    public static native boolean acceptingOn(long socketInode);
}
