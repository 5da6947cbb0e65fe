package dev.prefork.master.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.MetricNames;
import dev.prefork.master.os.JnrPosix;
import dev.prefork.master.os.OsException;
import dev.prefork.master.os.Posix;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZombieReaperTest {
    private static final long SELF = 1000;

    @TempDir
    Path proc;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakePosix posix = new FakePosix();

    /** Records reap calls; pids in {@code exited} reap successfully. */
    static final class FakePosix implements Posix {
        final List<Long> reapCalls = new ArrayList<>();
        final Set<Long> exited = new HashSet<>();
        final Set<Long> failing = new HashSet<>();

        @Override
        public long getpid() {
            return SELF;
        }

        @Override
        public int getuid() {
            return 0;
        }

        @Override
        public boolean kill(long pid, int signal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setNonBlocking(int fd) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean reapIfExited(long pid) {
            reapCalls.add(pid);
            if (failing.contains(pid)) {
                throw new OsException("waitpid(pid=" + pid + ", WNOHANG) failed: EINVAL");
            }
            return exited.contains(pid);
        }

        @Override
        public boolean setChildSubreaper() {
            return true;
        }
    }

    private void task(long tid, long... children) throws IOException {
        Path dir = Files.createDirectories(proc.resolve("self/task/" + tid));
        StringBuilder text = new StringBuilder();
        for (long child : children) {
            text.append(child).append(' ');
        }
        Files.writeString(dir.resolve("children"), text.toString());
    }

    private void process(long pid, String comm, char state, long ppid) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") " + state + " " + ppid + " " + pid + " 0 0 -1 4194304",
                StandardCharsets.US_ASCII);
    }

    private double gauge() {
        return registry.get(MetricNames.ZOMBIES).gauge().value();
    }

    private double reapedCount() {
        return registry.get(MetricNames.ZOMBIES_REAPED).counter().count();
    }

    @Test
    void countsZombieChildrenOfEveryThreadAndReapsOnlyTheOrphans() throws Exception {
        task(SELF, 11, 12);
        task(SELF + 1, 13);
        task(SELF + 2);
        process(11, "java", 'S', SELF);      // a running worker
        process(12, "java", 'Z', SELF);      // a worker the JDK has not reaped yet
        process(13, "sleep", 'Z', SELF);     // an adopted orphan that exited
        posix.exited.add(13L);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> pid == 11 || pid == 12, registry, proc);

        assertThat(reaper.scan()).isEqualTo(2);

        assertThat(posix.reapCalls).containsExactly(13L);
        assertThat(reapedCount()).isEqualTo(1);
        assertThat(gauge()).isEqualTo(1); // the JDK's own zombie is left to the JDK
        assertThat(reaper.zombies()).isEqualTo(1);
    }

    @Test
    void theStateIsReadAfterTheLastParenthesisOfTheCommandName() throws Exception {
        task(SELF, 21, 22);
        process(21, "evil) Z (name", 'S', SELF);
        process(22, "a (b) c", 'Z', SELF);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> true, registry, proc);

        assertThat(reaper.scan()).isEqualTo(1);
        assertThat(posix.reapCalls).isEmpty();
    }

    @Test
    void aChildThatVanishesBetweenListingAndReadingIsSkipped() throws Exception {
        task(SELF, 31, 32);
        process(32, "sleep", 'Z', SELF); // 31 has no stat: it is gone already
        posix.exited.add(32L);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> false, registry, proc);

        assertThat(reaper.scan()).isEqualTo(1);
        assertThat(posix.reapCalls).containsExactly(32L);
        assertThat(gauge()).isZero();
    }

    @Test
    void aFailedReapIsLoggedAndTheScanGoesOn() throws Exception {
        task(SELF, 41, 42);
        process(41, "a", 'Z', SELF);
        process(42, "b", 'Z', SELF);
        posix.failing.add(41L);
        posix.exited.add(42L);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> false, registry, proc);

        assertThat(reaper.scan()).isEqualTo(2);
        assertThat(posix.reapCalls).containsExactly(41L, 42L);
        assertThat(reapedCount()).isEqualTo(1);
        assertThat(gauge()).isEqualTo(1);
    }

    @Test
    void withoutChildrenFilesTheParentPidOfEveryProcessIsUsed() throws Exception {
        // Kernels without CONFIG_PROC_CHILDREN: task directories exist, children files do not.
        Files.createDirectories(proc.resolve("self/task/" + SELF));
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/stat"), SELF + " (java) S 1 " + SELF + " 0");
        process(51, "sleep", 'Z', SELF);
        process(52, "other", 'Z', 7);       // someone else's zombie
        process(53, "java", 'R', SELF);
        posix.exited.add(51L);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> false, registry, proc);

        assertThat(reaper.scan()).isEqualTo(1);
        assertThat(posix.reapCalls).containsExactly(51L);
    }

    @Test
    void noChildrenMeansNoZombies() throws Exception {
        task(SELF);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> false, registry, proc);

        assertThat(reaper.scan()).isZero();
        assertThat(gauge()).isZero();
    }

    @Test
    void aScanWaitsForTheSpawnLock() throws Exception {
        task(SELF);
        ZombieReaper reaper = new ZombieReaper(posix, pid -> false, registry, proc);
        Thread scanner;
        synchronized (reaper.spawnLock()) {
            scanner = new Thread(reaper::scan, "scanner");
            scanner.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> scanner.getState() == Thread.State.BLOCKED);
        }
        scanner.join(5000);
        assertThat(scanner.isAlive()).isFalse();
    }

    @Test
    void reapsARealAdoptedOrphan() throws Exception {
        JnrPosix real = new JnrPosix();
        assertThat(real.setChildSubreaper()).isTrue();
        Process shell = null;
        long orphan = -1;
        try {
            // The shell exits at once; its background sleep is re-parented to this JVM (the nearest subreaper) and,
            // as nobody waits for it, turns into a zombie when it ends.
            shell = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exit 0").start();
            String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
            orphan = Long.parseLong(out);
            long orphanPid = orphan;
            // Only the orphan counts as "not spawned by the JDK": other tests' children in this JVM stay untouched.
            ZombieReaper reaper = new ZombieReaper(real, pid -> pid != orphanPid, registry);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> reaper.scan() >= 1 && reapedCount() >= 1);

            assertThat(Path.of("/proc/" + orphanPid)).as("the orphan's zombie is gone").doesNotExist();
        } finally {
            real.setChildSubreaper(false);
            if (shell != null) {
                shell.destroyForcibly();
            }
            if (orphan > 0) {
                ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
