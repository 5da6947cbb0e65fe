package dev.prefork.master.os;

import java.util.ArrayList;
import java.util.List;

/** Records kill(2) calls instead of making them (public: the supervisor tests use it too). */
public final class FakePosix implements Posix {
    public static final long MASTER_PID = 4242;
    public static final int UID = 1000;

    public record Kill(long pid, int signal) {
    }

    public final List<Kill> kills = new ArrayList<>();

    @Override
    public long getpid() {
        return MASTER_PID;
    }

    @Override
    public int getuid() {
        return UID;
    }

    @Override
    public void setNonBlocking(int fd) {
    }

    @Override
    public synchronized boolean kill(long pid, int signal) {
        kills.add(new Kill(pid, signal));
        return true;
    }

    public synchronized List<Integer> signalsTo(long pid) {
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
