package dev.prefork.master.control;

import dev.prefork.master.control.WorkerDirectory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;

/**
 * Who may have the listening sockets: a spawned worker, once, from its own pid (for an exec worker: its pid or
 * a descendant's, as a launcher script may start the JVM as its child) and the master's uid, with its secret.
 * Written by the supervision thread, read on the control event loop.
 */
public final class WorkerAdmissions implements WorkerDirectory {
    public static final String UNKNOWN_WORKER = "unknown_worker";
    public static final String WRONG_PID = "wrong_pid";
    public static final String WRONG_UID = "wrong_uid";
    public static final String BAD_SECRET = "bad_secret";
    public static final String REPLAY = "replay";

    private final int masterUid;
    private final IntFunction<int[]> fdsForSlot;
    private final Map<Integer, Expected> expected = new ConcurrentHashMap<>();
    private final BiPredicate<Long, Long> isDescendant;

    /**
     * @param masterUid  the uid a worker must run as
     * @param fdsForSlot the listening fds handed to a worker in a given slot
     */
    public WorkerAdmissions(int masterUid, IntFunction<int[]> fdsForSlot) {
        this(masterUid, fdsForSlot, WorkerAdmissions::isDescendant);
    }

    /** @param isDescendant (pid, ancestor) -&gt; whether pid is a descendant of ancestor now */
    WorkerAdmissions(int masterUid, IntFunction<int[]> fdsForSlot, BiPredicate<Long, Long> isDescendant) {
        this.masterUid = masterUid;
        this.fdsForSlot = fdsForSlot;
        this.isDescendant = isDescendant;
    }

    /** Expects worker {@code workerId}; call after spawning and before the secret goes to the worker's stdin. */
    public void expect(int workerId, long pid, int slot, String secret) {
        expect(workerId, pid, slot, secret, false);
    }

    /**
     * @param descendantsToo an exec worker: a descendant of {@code pid} may speak for it (one admission still)
     */
    public void expect(int workerId, long pid, int slot, String secret, boolean descendantsToo) {
        expected.put(workerId, new Expected(pid, slot, 1, secret.getBytes(StandardCharsets.US_ASCII), descendantsToo));
    }

    /**
     * Expects standby {@code workerId}, which gets the sockets of slots {@code 0..slots-1} in slot order (with
     * reuse-port one group per slot; without it pass 1: every slot shares the same sockets). It serves one group
     * once activated; passing them all now keeps activation a single frame, with no second fd exchange.
     */
    public void expectStandby(int workerId, long pid, int slots, String secret) {
        if (slots < 1) {
            throw new IllegalArgumentException("a standby needs the sockets of at least one slot, not " + slots);
        }
        expected.put(workerId, new Expected(pid, 0, slots, secret.getBytes(StandardCharsets.US_ASCII), false));
    }

    /** The worker exited: its id is no longer admissible. */
    public void forget(int workerId) {
        expected.remove(workerId);
    }

    @Override
    public Admission admit(int workerId, String secret, int peerPid, int peerUid) {
        Expected e = expected.get(workerId);
        if (e == null) {
            return new Admission.Rejected(UNKNOWN_WORKER, "no live worker has id " + workerId);
        }
        // Identity before state: an impersonator is reported as such (wrong pid, uid or secret), and "replay" is
        // left for the worker's own credentials presented again.
        if (peerPid != e.pid && !(e.descendantsToo && isDescendant.test((long) peerPid, e.pid))) {
            return new Admission.Rejected(WRONG_PID, "worker " + workerId + " is pid " + e.pid
                    + (e.descendantsToo ? " (or a descendant of it)" : "") + ", peer is pid " + peerPid);
        }
        if (peerUid != masterUid) {
            return new Admission.Rejected(WRONG_UID, "peer uid " + peerUid + " is not the master's uid " + masterUid);
        }
        byte[] presented = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(e.secret, presented)) {
            return new Admission.Rejected(BAD_SECRET, "worker " + workerId + " presented a wrong secret");
        }
        if (!e.admitted.compareAndSet(false, true)) {
            return new Admission.Rejected(REPLAY, "worker " + workerId + " is already connected");
        }
        try {
            return new Admission.Accepted(fds(e));
        } catch (RuntimeException failure) {
            // The slot's sockets were closed (pool shrank while this worker was still connecting).
            return new Admission.Rejected(UNKNOWN_WORKER, "worker " + workerId + ": no listening sockets for slot "
                    + e.slot + " (" + failure.getMessage() + ")");
        }
    }

    private int[] fds(Expected e) {
        if (e.slots == 1) {
            return fdsForSlot.apply(e.slot);
        }
        int[][] groups = new int[e.slots][];
        int total = 0;
        for (int i = 0; i < e.slots; i++) {
            groups[i] = fdsForSlot.apply(e.slot + i);
            total += groups[i].length;
        }
        int[] all = new int[total];
        int at = 0;
        for (int[] group : groups) {
            System.arraycopy(group, 0, all, at, group.length);
            at += group.length;
        }
        return all;
    }

    /** Walks the parent chain of {@code pid} (from /proc, through the JDK) looking for {@code ancestor}. */
    static boolean isDescendant(long pid, long ancestor) {
        Optional<ProcessHandle> current = ProcessHandle.of(pid);
        // Bounded: a parent chain is short, and a pid reused mid-walk must not loop us.
        for (int depth = 0; depth < 64 && current.isPresent(); depth++) {
            current = current.get().parent();
            if (current.isPresent() && current.get().pid() == ancestor) {
                return true;
            }
        }
        return false;
    }

    private static final class Expected {
        final long pid;
        /** The first slot whose sockets the worker gets. */
        final int slot;
        /** How many consecutive slots' sockets it gets: 1, or a standby's socket groups. */
        final int slots;
        final byte[] secret;
        final boolean descendantsToo;
        final AtomicBoolean admitted = new AtomicBoolean();

        Expected(long pid, int slot, int slots, byte[] secret, boolean descendantsToo) {
            this.pid = pid;
            this.slot = slot;
            this.slots = slots;
            this.secret = secret;
            this.descendantsToo = descendantsToo;
        }
    }
}
