package dev.prefork.master.os;

/** jnr-posix implementation of {@link Posix}. TODO(H2b): implement. */
public final class JnrPosix implements Posix {
    @Override
    public long getpid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public int getuid() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public boolean kill(long pid, int signal) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public boolean reapIfExited(long pid) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public boolean setChildSubreaper() {
        throw new UnsupportedOperationException("TODO");
    }
}
