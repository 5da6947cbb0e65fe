package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.SegmentSnapshot;
import dev.prefork.master.control.WorkerLink;
import dev.prefork.master.process.WorkerProcess;
import java.util.Optional;

/**
 * The master's view of one worker. Owned by the supervision thread; only the counters are read elsewhere
 * (metrics scrapes), hence volatile. Times are in the injected clock's nanoseconds.
 */
final class WorkerHandle {
    /** Nothing scheduled. */
    static final long NEVER = Long.MAX_VALUE;
    /** A scrape reads each worker's segment once, however many meters ask. */
    private static final long READ_EVERY_NANOS = 100_000_000L;
    /** The slot of a standby that has not been activated yet. */
    static final int NO_SLOT = -1;

    private final int id;
    /** {@link #NO_SLOT} for a standby until it is activated. */
    private int slot;
    /** A standby activated after a HUP that left the configuration as it was joins the new generation. */
    private long generation;
    /** The configuration it was started with: a standby serves only the configuration it booted with. */
    private final ServerConfig config;
    /** A standby's groups of listening sockets (one per reuse-port slot, else one); 0 for a serving worker. */
    private final int socketGroups;
    /** A standby's code as of the start or HUP before its spawn (see {@code WorkerLauncher#codeVersion}). */
    private String codeVersion = "";
    private final WorkerProcess process;
    private final String secret;
    private final long spawnedAt;
    private final long maxRequests;

    private WorkerState state = WorkerState.SPAWNED;
    private WorkerState lostWhile;
    private WorkerLink link;
    /** An exec worker's JVM when it is a descendant of the spawned process (a launcher script), else empty. */
    private Optional<ProcessHandle> childJvm = Optional.empty();
    private long readyAt = NEVER;
    private long lastHeartbeatAt;
    /** The worker's segment, read at scrape time (null when it could not be made). */
    private volatile SegmentReader segment;
    /** The last figures read from the segment, and when (System.nanoTime), so one scrape reads it once. */
    private SegmentSnapshot figures;
    private long figuresReadAt;
    private String rejection;
    /** The slowest event loop's lag in the last heartbeat (the hang check's; metrics read the segment's). */
    private volatile long maxLoopLagMillis;
    /** Expiry (epoch seconds) of the TLS certificate the worker serves; 0 until it reports one. */
    private volatile long certificateNotAfter;
    /** The worker this one replaces in a roll (HUP or recycle), until this one is ready. */
    private WorkerHandle replacing;
    /** Why it is to be recycled (max_requests or memory); null until a recycle is requested. */
    private String recycleReason;
    private long killAt = NEVER;
    private boolean killSent;

    WorkerHandle(int id, int slot, long generation, WorkerProcess process, String secret, long spawnedAt,
                 long maxRequests) {
        this(id, slot, generation, null, 0, process, secret, spawnedAt, maxRequests);
    }

    /**
     * @param slot         the listener slot, or {@link #NO_SLOT} for a standby
     * @param socketGroups a standby's socket groups (at least 1), 0 for a serving worker
     */
    WorkerHandle(int id, int slot, long generation, ServerConfig config, int socketGroups, WorkerProcess process,
                 String secret, long spawnedAt, long maxRequests) {
        if ((slot == NO_SLOT) != (socketGroups > 0)) {
            throw new IllegalArgumentException("worker " + id + ": a standby has no slot and socket groups; slot "
                    + slot + ", groups " + socketGroups);
        }
        this.id = id;
        this.slot = slot;
        this.generation = generation;
        this.config = config;
        this.socketGroups = socketGroups;
        this.process = process;
        this.secret = secret;
        this.spawnedAt = spawnedAt;
        this.maxRequests = maxRequests;
        this.lastHeartbeatAt = spawnedAt;
    }

    /** Moves to {@code next}; an illegal move is a supervisor bug and throws. */
    void moveTo(WorkerState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("worker " + id + " pid " + pid() + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    void connected(WorkerLink link) {
        this.link = link;
        long peer = link.peerPid();
        if (peer > 0 && peer != pid()) {
            childJvm = ProcessHandle.of(peer);
            // Its agent stamps the segment with the JVM's own pid, not the launcher script's.
            SegmentReader reader = segment;
            if (reader != null) {
                segment = reader.forPid(peer);
            }
        }
    }

    Optional<ProcessHandle> childJvm() {
        return childJvm;
    }

    void disconnected() {
        this.link = null;
    }

    /** Its control link closed unasked while it served or stood by: it is dying (see {@link WorkerState#LOST}). */
    void lost() {
        lostWhile = state;
        moveTo(WorkerState.LOST);
    }

    /** What it was doing as its exit reports it: for a lost worker, what it did before it was lost. */
    WorkerState stateForExitReport() {
        return state == WorkerState.LOST ? lostWhile : state;
    }

    void ready(long now) {
        moveTo(WorkerState.READY);
        readyAt = now;
        lastHeartbeatAt = now;
    }

    /** A standby finished booting: it counts as booted (crash backoff, heartbeats) from now on. */
    void standingBy(long now) {
        moveTo(WorkerState.STANDBY);
        readyAt = now;
        lastHeartbeatAt = now;
    }

    /** A standby takes {@code slot} in {@code generation}; it is READY from now on (it was booted already). */
    void activate(int slot, long generation) {
        if (!isStandby()) {
            throw new IllegalStateException(this + " is not a standby; it already serves slot " + this.slot);
        }
        moveTo(WorkerState.READY);
        this.slot = slot;
        this.generation = generation;
    }

    /** Liveness and loop lag (the hang check's inputs); every other figure comes from the segment. */
    void heartbeat(ControlMessage.Heartbeat beat, long now) {
        lastHeartbeatAt = now;
        maxLoopLagMillis = beat.maxLoopLagMillis();
    }

    void segment(SegmentReader reader) {
        this.segment = reader;
    }

    /**
     * The worker's figures from its segment, read at most once per {@link #READ_EVERY_NANOS} (a scrape asks for
     * each of them); a segment that fails validation keeps the last good figures and is reported once by the
     * returned rejection. Called by the admin thread and the supervision thread.
     */
    synchronized SegmentSnapshot figures() {
        SegmentReader reader = segment;
        if (reader == null) {
            return noFigures();
        }
        long t = System.nanoTime();
        if (figures == null || t - figuresReadAt > READ_EVERY_NANOS) {
            figuresReadAt = t;
            SegmentReader.Result r = reader.read();
            rejection = r instanceof SegmentReader.Rejected rejected ? rejected.reason() : null;
            figures = reader.last();
        }
        // Not attached (still booting): nothing to report yet.
        return figures.pid() == 0 ? noFigures() : figures;
    }

    /** All zeros, for a worker that has not attached a segment (still booting, or none could be made). */
    private SegmentSnapshot noFigures() {
        return new SegmentSnapshot(id, 0, new long[SegmentField.values().length], new long[SegmentLayout.BUCKET_COUNT],
                java.util.List.of());
    }

    /** Why the last read refused the segment, or null; cleared by reading it. */
    synchronized String takeRejection() {
        String r = rejection;
        rejection = null;
        return r;
    }

    /** Reads the segment once more now (its last figures, at exit) and deletes the file. */
    synchronized SegmentSnapshot retireSegment() {
        SegmentReader reader = segment;
        if (reader == null) {
            return noFigures();
        }
        figuresReadAt = Long.MIN_VALUE / 2;
        figures = null;
        SegmentSnapshot last = figures();
        reader.delete();
        return last;
    }

    void certificateServed(ControlMessage.CertificateServed served) {
        certificateNotAfter = served.notAfterEpochSeconds();
    }

    long certificateNotAfter() {
        return certificateNotAfter;
    }

    /** Sends a frame if the worker is connected; returns false when there is no link to send on. */
    boolean send(ControlMessage.FromMaster message) {
        WorkerLink current = link;
        if (current == null) {
            return false;
        }
        current.send(message);
        return true;
    }

    void scheduleKill(long at) {
        killAt = Math.min(killAt, at);
    }

    void killSent() {
        killSent = true;
    }

    void replacing(WorkerHandle old) {
        this.replacing = old;
    }

    void requestRecycle(String reason) {
        recycleReason = reason;
    }

    String recycleReason() {
        return recycleReason;
    }

    int id() {
        return id;
    }

    int slot() {
        return slot;
    }

    long generation() {
        return generation;
    }

    long pid() {
        return process.pid();
    }

    WorkerProcess process() {
        return process;
    }

    String secret() {
        return secret;
    }

    long spawnedAt() {
        return spawnedAt;
    }

    long maxRequests() {
        return maxRequests;
    }

    WorkerState state() {
        return state;
    }

    boolean isLive() {
        return state != WorkerState.EXITED;
    }

    /**
     * Counts towards the pool's capacity: alive, not leaving, not a roll replacement still booting, and not a
     * standby.
     */
    boolean isCapacity() {
        return state != WorkerState.EXITED && !state.isLeaving() && replacing == null && !isStandby();
    }

    /** Started as a standby and not activated yet (booting or standing by, or leaving). */
    boolean isStandby() {
        return slot == NO_SLOT;
    }

    void codeVersion(String version) {
        this.codeVersion = version;
    }

    String codeVersion() {
        return codeVersion;
    }

    /** A standby's socket groups: it can take the slots {@code 0..socketGroups-1}. */
    int socketGroups() {
        return socketGroups;
    }

    /** The configuration it was started with (null in some tests of plain workers). */
    ServerConfig config() {
        return config;
    }

    WorkerLink link() {
        return link;
    }

    long readyAt() {
        return readyAt;
    }

    long lastHeartbeatAt() {
        return lastHeartbeatAt;
    }

    /** The slowest event loop's lag in its last heartbeat. */
    long maxLoopLagMillis() {
        return maxLoopLagMillis;
    }

    long requestsTotal() {
        return figures().get(SegmentField.REQUESTS);
    }

    int requestsInFlight() {
        return (int) figures().get(SegmentField.REQUESTS_IN_FLIGHT);
    }

    int connectionsOpen() {
        return (int) figures().get(SegmentField.CONNECTIONS_OPEN);
    }

    WorkerHandle replacing() {
        return replacing;
    }

    boolean recycleRequested() {
        return recycleReason != null;
    }

    long killAt() {
        return killAt;
    }

    boolean isKillSent() {
        return killSent;
    }

    @Override
    public String toString() {
        // Never the secret.
        return (isStandby() ? "standby worker " : "worker ") + id + " pid " + pid();
    }
}
