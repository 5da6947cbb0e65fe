package dev.prefork.master.os;

import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * jnr-posix implementation of {@link Posix}, plus jnr-ffi for {@code prctl} (jnr-posix has no wrapper).
 * Nothing native is loaded until the first call that needs it: jnr costs about half a second to load.
 * Thread-safe: jnr saves errno per thread right after each call.
 */
public final class JnrPosix implements Posix {
    private static final int WNOHANG = 1;
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    /** The one libc call jnr-posix lacks. */
    public interface Prctl {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private volatile POSIX posix;
    private volatile Prctl prctl;

    @Override
    public long getpid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public int getuid() {
        return posix().getuid();
    }

    @Override
    public boolean kill(long pid, int signal) {
        POSIX p = posix();
        if (p.kill(pid, signal) == 0) {
            return true;
        }
        int errno = p.errno();
        if (errno == Errno.ESRCH.intValue()) {
            return false;
        }
        throw new OsException("kill(pid=" + pid + ", signal=" + signal + ") failed: " + describe(errno));
    }

    @Override
    public void setNonBlocking(int fd) {
        POSIX p = posix();
        int flags = p.fcntl(fd, Fcntl.F_GETFL);
        if (flags < 0 || p.fcntlInt(fd, Fcntl.F_SETFL, flags | OpenFlags.O_NONBLOCK.intValue()) < 0) {
            throw new OsException("fcntl(fd=" + fd + ", F_SETFL, O_NONBLOCK) failed: " + describe(p.errno()));
        }
    }

    @Override
    public boolean reapIfExited(long pid) {
        if (pid <= 0) {
            // waitpid(0) and waitpid(-N) wait for groups of children: that would steal the JDK's exit statuses.
            throw new IllegalArgumentException("reapIfExited takes one child pid, not " + pid);
        }
        POSIX p = posix();
        int[] status = new int[1];
        while (true) {
            int result = p.waitpid(pid, status, WNOHANG);
            if (result == pid) {
                return true;
            }
            if (result == 0) {
                return false;
            }
            int errno = p.errno();
            if (errno == Errno.EINTR.intValue()) {
                continue;
            }
            if (errno == Errno.ECHILD.intValue()) {
                // Not (or no longer) our child: someone else reaped it.
                return false;
            }
            throw new OsException("waitpid(pid=" + pid + ", WNOHANG) failed: " + describe(errno));
        }
    }

    @Override
    public boolean setChildSubreaper() {
        return setChildSubreaper(true);
    }

    /** prctl(PR_SET_CHILD_SUBREAPER, enabled): false if the kernel refused. Tests turn it off again. */
    public boolean setChildSubreaper(boolean enabled) {
        return prctl().prctl(PR_SET_CHILD_SUBREAPER, enabled ? 1 : 0, 0, 0, 0) == 0;
    }

    private POSIX posix() {
        POSIX p = posix;
        if (p == null) {
            synchronized (this) {
                p = posix;
                if (p == null) {
                    p = POSIXFactory.getNativePOSIX();
                    if (!p.isNative()) {
                        throw new OsException("jnr-posix could not load libc natively; the master needs Linux with a"
                                + " working jffi native library (check that jffi's native jar is on the classpath)");
                    }
                    posix = p;
                }
            }
        }
        return p;
    }

    private Prctl prctl() {
        Prctl p = prctl;
        if (p == null) {
            synchronized (this) {
                p = prctl;
                if (p == null) {
                    p = LibraryLoader.create(Prctl.class).load("c");
                    prctl = p;
                }
            }
        }
        return p;
    }

    private static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__
                ? "errno " + errno
                : e.name() + " (" + e.description() + ")";
    }
}
