package dev.prefork.master;

import dev.prefork.master.os.Posix;
import java.util.ArrayList;
import java.util.List;

/** Records kill(2) calls instead of making them. */
final class FakePosix implements Posix {
    static final long MASTER_PID = 4242;
    static final int UID = 1000;

    record Kill(long pid, int signal) {
    }

    final List<Kill> kills = new ArrayList<>();

    @Override
    public long getpid() {
        return MASTER_PID;
    }

    @Override
    public int getuid() {
        return UID;
    }

    @Override
    public synchronized boolean kill(long pid, int signal) {
        kills.add(new Kill(pid, signal));
        return true;
    }

    synchronized List<Integer> signalsTo(long pid) {
        List<Integer> out = new ArrayList<>();
        for (Kill k : kills) {
            if (k.pid() == pid) {
                out.add(k.signal());
            }
        }
        return out;
    }

    @Override
    public boolean reapIfExited(long pid) {
        return false;
    }

    @Override
    public boolean setChildSubreaper() {
        return true;
    }
}
