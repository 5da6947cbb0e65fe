package dev.prefork.worker.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ReadableByteChannel;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Notices that the master died, two ways: EOF on stdin (the master holds the other end for the worker's life;
 * fast) and, as a backup, the parent pid no longer being the master's (polled). Either calls
 * {@code onMasterGone} once, with the reason. No PR_SET_PDEATHSIG: it fires when the forking thread exits.
 * Stdin is read through an interruptible channel so that {@link #stop} can take the reading thread out of its
 * blocking read before the JVM exits (HotSpot's exit waits for threads in native code).
 */
final class MasterWatch {
    static final long PARENT_POLL_MILLIS = 100;

    private final ReadableByteChannel stdin;
    private final long masterPid;
    private final LongSupplier parentPid;
    private final Consumer<String> onMasterGone;
    private volatile boolean gone;
    private volatile boolean stopped;
    private Thread stdinReader;

    /**
     * @param parentPid the current parent pid, or -1 when there is none
     */
    MasterWatch(ReadableByteChannel stdin, long masterPid, LongSupplier parentPid, Consumer<String> onMasterGone) {
        this.stdin = stdin;
        this.masterPid = masterPid;
        this.parentPid = parentPid;
        this.onMasterGone = onMasterGone;
    }

    /** This process's stdin (fd 0) as a channel that an interrupt releases from a blocking read. */
    static ReadableByteChannel stdinChannel() {
        return new FileInputStream(FileDescriptor.in).getChannel();
    }

    /** The JDK's view of this process's parent. */
    static long currentParentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    synchronized void start() {
        stdinReader = daemon("prefork-stdin-watch", this::watchStdin);
        stdinReader.start();
        daemon("prefork-parent-watch", this::pollParent).start();
    }

    /** The process is ending: release the stdin reader from its read (closing stdin); report nothing. */
    synchronized void stop() {
        stopped = true;
        if (stdinReader != null) {
            stdinReader.interrupt();
        }
    }

    /** Reads stdin until EOF; anything the master writes after the secret is ignored. */
    void watchStdin() {
        ByteBuffer sink = ByteBuffer.allocate(256);
        try {
            while (stdin.read(sink) >= 0) {
                sink.clear(); // keep reading: only EOF matters
            }
            masterGone("stdin reached EOF");
        } catch (ClosedByInterruptException e) {
            if (!stopped) {
                masterGone("stdin watch interrupted");
            }
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
            while (!stopped && !checkParent()) {
                Thread.sleep(PARENT_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void masterGone(String reason) {
        if (!gone && !stopped) {
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
