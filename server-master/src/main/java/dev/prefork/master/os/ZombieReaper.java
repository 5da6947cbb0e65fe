package dev.prefork.master.os;

import dev.prefork.core.MetricNames;
import dev.prefork.master.os.OsException;
import dev.prefork.master.os.Posix;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the master's children in state Z ({@code /proc/self/task/*}{@code /children}, then {@code /proc/PID/stat})
 * for the gauge {@code prefork.zombies}, and reaps the ones the JDK did not spawn (adopted orphans) with
 * {@code waitpid(pid, WNOHANG)}, counting {@code prefork.zombies.reaped}.
 *
 * <p>A child the JDK has just started but the supervisor has not yet registered would look like an orphan: hold
 * {@link #spawnLock()} from {@code ProcessBuilder.start()} until its pid is visible to {@code spawnedByJdk}.
 * {@link #scan()} takes the same lock.
 */
public final class ZombieReaper {
    private static final Logger log = LoggerFactory.getLogger(ZombieReaper.class);
    private static final Path PROC = Path.of("/proc");

    private final Posix posix;
    private final LongPredicate spawnedByJdk;
    private final Path proc;
    private final Object spawnLock = new Object();
    private final AtomicInteger zombies = new AtomicInteger();
    private final Counter reaped;

    /** @param spawnedByJdk true for pids the JDK launched (it reaps those itself) */
    public ZombieReaper(Posix posix, LongPredicate spawnedByJdk, MeterRegistry registry) {
        this(posix, spawnedByJdk, registry, PROC);
    }

    /** @param proc the procfs root: {@code /proc}, or a fake tree in tests */
    public ZombieReaper(Posix posix, LongPredicate spawnedByJdk, MeterRegistry registry, Path proc) {
        this.posix = posix;
        this.spawnedByJdk = spawnedByJdk;
        this.proc = proc;
        // With descriptions: promtool check metrics refuses a family without HELP text.
        io.micrometer.core.instrument.Gauge.builder(MetricNames.ZOMBIES, zombies, Number::doubleValue)
                .description("children of the master now in state Z").register(registry);
        this.reaped = io.micrometer.core.instrument.Counter.builder(MetricNames.ZOMBIES_REAPED)
                .description("adopted orphans reaped by the master").register(registry);
    }

    /** Hold this while starting a child and registering its pid, so that a scan never mistakes it for an orphan. */
    public Object spawnLock() {
        return spawnLock;
    }

    /**
     * One scan: returns how many zombies were seen (before reaping). Safe to call from the supervision loop.
     * The gauge shows the zombies left after reaping (the JDK's own, not yet collected by its reaper thread).
     */
    public int scan() {
        synchronized (spawnLock) {
            int seen = 0;
            int reapedNow = 0;
            for (long pid : children()) {
                if (state(pid) != 'Z') {
                    continue;
                }
                seen++;
                if (!spawnedByJdk.test(pid) && reap(pid)) {
                    reapedNow++;
                }
            }
            zombies.set(seen - reapedNow);
            return seen;
        }
    }

    /** Zombies left after the last scan (the gauge's value). */
    public int zombies() {
        return zombies.get();
    }

    private boolean reap(long pid) {
        try {
            if (posix.reapIfExited(pid)) {
                reaped.increment();
                log.info("reaped orphan pid {} (an exited process the master adopted)", pid);
                return true;
            }
        } catch (OsException e) {
            log.warn("could not reap zombie pid {}: {}", pid, e.getMessage());
        }
        return false;
    }

    /** Children of every thread of this process: each thread's children file lists the ones that thread forked. */
    private Set<Long> children() {
        Set<Long> pids = new TreeSet<>();
        boolean anyChildrenFile = false;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("self/task"))) {
            for (Path task : tasks) {
                String text = read(task.resolve("children"));
                if (text == null) {
                    continue;
                }
                anyChildrenFile = true;
                for (String token : text.trim().split("\\s+")) {
                    if (!token.isEmpty()) {
                        pids.add(Long.parseLong(token));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot list the master's threads in {}: {}", proc, e.toString());
        }
        return anyChildrenFile ? pids : childrenByParentPid();
    }

    /** Fallback for kernels without CONFIG_PROC_CHILDREN: every process whose parent is this one. Slower. */
    private Set<Long> childrenByParentPid() {
        Set<Long> pids = new TreeSet<>();
        String self = read(proc.resolve("self/stat"));
        if (self == null) {
            return pids;
        }
        String selfPid = self.substring(0, self.indexOf(' '));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path entry : entries) {
                String stat = read(entry.resolve("stat"));
                if (stat != null && selfPid.equals(field(stat, 1))) {
                    pids.add(Long.parseLong(entry.getFileName().toString()));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot list processes in {}: {}", proc, e.toString());
        }
        return pids;
    }

    /** The process state letter, or 0 when the process is gone. */
    private char state(long pid) {
        String stat = read(proc.resolve(Long.toString(pid)).resolve("stat"));
        String state = stat == null ? null : field(stat, 0);
        return state == null || state.isEmpty() ? 0 : state.charAt(0);
    }

    /**
     * Field {@code index} after the command name: 0 is the state, 1 the parent pid. The name is in parentheses and
     * may itself contain spaces and ')', so count from the last ')'.
     */
    static String field(String stat, int index) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] fields = stat.substring(close + 1).trim().split(" ");
        return index < fields.length ? fields[index] : null;
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null; // gone between listing and reading
        }
    }
}
