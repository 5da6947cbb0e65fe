package dev.prefork.worker.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process after taking this worker's own threads out of native code. HotSpot's exit waits up to 300 ms
 * for every thread in native code (an event loop in epoll_wait, a blocking read of stdin) to leave it; stopping
 * them first makes a drained worker's exit take milliseconds (measured: 320 ms before, the whole time between
 * the worker's "exiting 0" and its exit). What the application's own threads do is theirs. The first call
 * decides the exit status: stopping the control loop closes the control connection, which would otherwise read as
 * the master's death and race in with exit code 5.
 */
final class QuietExit implements ProcessExit {
    private static final Logger log = LoggerFactory.getLogger(QuietExit.class);
    /** What an event loop may take to stop; after it, the JVM's own bounded wait takes over. */
    static final long LOOP_STOP_MILLIS = 200;

    private final ProcessExit process;
    private final List<EventLoopGroup> loops = new CopyOnWriteArrayList<>();
    private final List<Runnable> stoppers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean exiting = new AtomicBoolean();

    QuietExit(ProcessExit process) {
        this.process = process;
    }

    /** Event loops to shut down before the process ends. */
    void stopBeforeExit(EventLoopGroup group) {
        loops.add(group);
    }

    /** Something that parks a thread in native code, and how to release it, before the process ends. */
    void stopBeforeExit(Runnable stopper) {
        stoppers.add(stopper);
    }

    /** True once the process is ending: what goes wrong from then on is the exit's doing. */
    boolean exiting() {
        return exiting.get();
    }

    /** Ends the process unless an earlier call is already ending it (then returns at once). */
    @Override
    public void halt(int status) {
        if (exiting.compareAndSet(false, true)) {
            quiesce();
            process.halt(status);
        }
    }

    /** Ends the process unless an earlier call is already ending it (then returns at once). */
    @Override
    public void exit(int status) {
        if (exiting.compareAndSet(false, true)) {
            quiesce();
            process.exit(status);
        }
    }

    /** Stops every registered thread; waits for loops other than the caller's own (that one is busy exiting). */
    private void quiesce() {
        for (Runnable stopper : stoppers) {
            try {
                stopper.run();
            } catch (RuntimeException e) {
                log.debug("releasing a thread before exit failed: {}", e.toString());
            }
        }
        for (EventLoopGroup group : loops) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOP_STOP_MILLIS);
        for (EventLoopGroup group : loops) {
            if (runsOn(group)) {
                continue;
            }
            try {
                group.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean runsOn(EventLoopGroup group) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }
}
