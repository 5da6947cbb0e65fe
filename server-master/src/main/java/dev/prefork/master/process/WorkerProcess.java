package dev.prefork.master.process;

import java.util.concurrent.CompletableFuture;

/** The master's handle on one worker OS process; the real one wraps {@link Process}, tests use a fake. */
public interface WorkerProcess {

    long pid();

    /**
     * True for an exec worker: the JVM that connects to the control socket may be a descendant of {@link #pid()}
     * (a launcher script that starts java without exec), so admission accepts such a peer too.
     */
    default boolean agentMayBeDescendant() {
        return false;
    }

    boolean isAlive();

    /**
     * Writes the worker's secret and a newline to its stdin and flushes, leaving stdin open: its EOF later tells
     * the worker that the master died. A failed write is logged, not thrown (the exit event follows).
     */
    void sendSecret(String secret);

    /** Completes with the exit code once the process has exited (and the JDK has reaped it). */
    CompletableFuture<Integer> onExit();

    /** SIGKILL through the JDK, which will not signal a pid it has already reaped (no pid-reuse accident). */
    void destroyForcibly();
}
