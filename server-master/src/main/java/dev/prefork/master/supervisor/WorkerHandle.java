package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
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
    private WorkerLink link;
    /** An exec worker's JVM when it is a descendant of the spawned process (a launcher script), else empty. */
    private Optional<ProcessHandle> childJvm = Optional.empty();
    private volatile ControlMessage.JvmStats jvmStats;
    private long readyAt = NEVER;
    private long lastHeartbeatAt;
    private long maxLoopLagMillis;
    private volatile long requestsTotal;
    private volatile long requestTimeoutsTotal;
    private volatile long threadsFullTotal;
    private volatile int requestsInFlight;
    private volatile int connectionsOpen;
    /** Expiry (epoch seconds) of the TLS certificate the worker serves; 0 until it reports one. */
    private volatile long certificateNotAfter;
    /** The worker this one replaces in a roll (HUP or recycle), until this one is ready. */
    private WorkerHandle replacing;
    private boolean recycleRequested;
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
        }
    }

    void jvmStats(ControlMessage.JvmStats stats) {
        this.jvmStats = stats;
    }

    /** The latest JVM figures an exec worker's agent sent, or null before the first (and for native workers). */
    ControlMessage.JvmStats jvmStats() {
        return jvmStats;
    }

    Optional<ProcessHandle> childJvm() {
        return childJvm;
    }

    void disconnected() {
        this.link = null;
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

    void heartbeat(ControlMessage.Heartbeat beat, long now) {
        lastHeartbeatAt = now;
        maxLoopLagMillis = beat.maxLoopLagMillis();
        requestsTotal = beat.requestsTotal();
        requestTimeoutsTotal = beat.requestTimeoutsTotal();
        threadsFullTotal = beat.threadsFullTotal();
        requestsInFlight = beat.requestsInFlight();
        connectionsOpen = beat.connectionsOpen();
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

    void requestRecycle() {
        recycleRequested = true;
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
        return state != WorkerState.EXITED && state != WorkerState.DRAINING && replacing == null && !isStandby();
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

    long maxLoopLagMillis() {
        return maxLoopLagMillis;
    }

    long requestsTotal() {
        return requestsTotal;
    }

    long requestTimeoutsTotal() {
        return requestTimeoutsTotal;
    }

    long threadsFullTotal() {
        return threadsFullTotal;
    }

    int requestsInFlight() {
        return requestsInFlight;
    }

    int connectionsOpen() {
        return connectionsOpen;
    }

    WorkerHandle replacing() {
        return replacing;
    }

    boolean recycleRequested() {
        return recycleRequested;
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
