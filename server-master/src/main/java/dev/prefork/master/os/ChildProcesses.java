package dev.prefork.master.os;

import dev.prefork.master.process.WorkerProcess;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every worker process the JDK spawned for this master, live and recently exited. The zombie reaper asks it
 * which pids are the JDK's to reap; the shutdown hook uses it to SIGKILL whatever is still alive.
 */
public final class ChildProcesses {
    private static final int RECENT = 256;

    private final Map<Long, WorkerProcess> live = new ConcurrentHashMap<>();
    private final Set<Long> recent = new LinkedHashSet<>();
    private final NanoClock clock;

    public ChildProcesses(NanoClock clock) {
        this.clock = clock;
    }

    public void add(WorkerProcess process) {
        live.put(process.pid(), process);
    }

    public void exited(long pid) {
        live.remove(pid);
        synchronized (recent) {
            recent.add(pid);
            if (recent.size() > RECENT) {
                recent.remove(recent.iterator().next());
            }
        }
    }

    /** True for pids the JDK launched for us: the reaper must leave those to the JDK. */
    public boolean spawnedByJdk(long pid) {
        if (live.containsKey(pid)) {
            return true;
        }
        synchronized (recent) {
            return recent.contains(pid);
        }
    }

    /** SIGKILLs every live worker, then waits up to {@code waitMillis} for them to be gone. */
    public void destroyAll(long waitMillis) {
        var processes = new ArrayList<>(live.values());
        for (WorkerProcess p : processes) {
            p.destroyForcibly();
        }
        long deadline = clock.nanos() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (WorkerProcess p : processes) {
            long left = deadline - clock.nanos();
            if (left <= 0) {
                break;
            }
            try {
                p.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // Timed out or failed: the JVM exits anyway and the orphan gets its stdin EOF.
            }
        }
    }
}
