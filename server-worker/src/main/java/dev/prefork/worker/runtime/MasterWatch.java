package dev.prefork.worker.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Notices that the master died, two ways: EOF on stdin (the master holds the other end for the worker's life;
 * fast) and, as a backup, the parent pid no longer being the master's (polled). Either calls
 * {@code onMasterGone} once, with the reason. No PR_SET_PDEATHSIG: it fires when the forking thread exits.
 */
final class MasterWatch {
    static final long PARENT_POLL_MILLIS = 100;

    private final InputStream stdin;
    private final long masterPid;
    private final LongSupplier parentPid;
    private final Consumer<String> onMasterGone;
    private volatile boolean gone;

    /**
     * @param parentPid the current parent pid, or -1 when there is none
     */
    MasterWatch(InputStream stdin, long masterPid, LongSupplier parentPid, Consumer<String> onMasterGone) {
        this.stdin = stdin;
        this.masterPid = masterPid;
        this.parentPid = parentPid;
        this.onMasterGone = onMasterGone;
    }

    /** The JDK's view of this process's parent. */
    static long currentParentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    void start() {
        daemon("prefork-stdin-watch", this::watchStdin).start();
        daemon("prefork-parent-watch", this::pollParent).start();
    }

    /** Reads stdin until EOF; anything the master writes after the secret is ignored. */
    void watchStdin() {
        byte[] sink = new byte[256];
        try {
            while (stdin.read(sink) >= 0) {
                // keep reading: only EOF matters
            }
            masterGone("stdin reached EOF");
        } catch (IOException e) {
            masterGone("stdin failed: " + e);
        }
    }

    /** True (and reports) when the parent is no longer the master. */
    boolean checkParent() {
        long parent = parentPid.getAsLong();
        if (parent != masterPid) {
            masterGone("parent pid is " + parent + ", not the master's " + masterPid);
            return true;
        }
        return false;
    }

    private void pollParent() {
        try {
            while (!checkParent()) {
                Thread.sleep(PARENT_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void masterGone(String reason) {
        if (!gone) {
            gone = true;
            onMasterGone.accept(reason);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
