package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;

/**
 * A worker's life as the master sees it. Allowed moves:
 * SPAWNED -&gt; CONNECTED -&gt; READY -&gt; DRAINING -&gt; EXITED; a standby goes CONNECTED -&gt; STANDBY -&gt; READY
 * (activated into a slot); any live state may go to DRAINING (told to leave) or EXITED (died); READY and STANDBY
 * go to LOST when the control connection closes unasked (the process is dying), LOST only to DRAINING or EXITED.
 * Nothing leaves EXITED.
 */
enum WorkerState {
    /** Process started; not yet authenticated on the control socket. */
    SPAWNED,
    /** Authenticated and holding the listening sockets; the application is booting. */
    CONNECTED,
    /**
     * A standby: booted, authenticated, the application initialised, holding the listening sockets but not
     * accepting; it counts for nothing until it is activated into a slot.
     */
    STANDBY,
    /** Accepting connections. */
    READY,
    /** Told to leave (Drain, Stop, or SIGKILL pending); no longer counts towards capacity. */
    DRAINING,
    /**
     * Its control connection closed without the master asking: a worker closes it only by exiting (the kernel
     * closes it as the process dies, a few milliseconds before the exit is reported), so it no longer counts and
     * its slot is refilled at once; its exit is still counted as a crash when it comes, and SIGKILL follows if it
     * lingers.
     */
    LOST,
    /** The process has exited. */
    EXITED;

    boolean canMoveTo(WorkerState next) {
        switch (this) {
            case SPAWNED:
                return next == CONNECTED || next == DRAINING || next == EXITED;
            case CONNECTED:
                return next == READY || next == STANDBY || next == DRAINING || next == EXITED;
            case STANDBY:
                return next == READY || next == DRAINING || next == LOST || next == EXITED;
            case READY:
                return next == DRAINING || next == LOST || next == EXITED;
            case LOST:
                return next == DRAINING || next == EXITED;
            case DRAINING:
                return next == EXITED;
            default:
                return false;
        }
    }

    /** The {@code state} tag of {@code prefork.workers}, or null for EXITED (not counted). */
    String metricTag() {
        switch (this) {
            case SPAWNED:
            case CONNECTED:
                return MetricNames.STATE_BOOTING;
            case STANDBY:
                return MetricNames.STATE_STANDBY;
            case READY:
                return MetricNames.STATE_READY;
            case DRAINING:
            case LOST:
                return MetricNames.STATE_DRAINING;
            default:
                return null;
        }
    }

    boolean isBooting() {
        return this == SPAWNED || this == CONNECTED;
    }

    /** On its way out, told to (DRAINING) or not (LOST): no capacity, no slot, a kill deadline. */
    boolean isLeaving() {
        return this == DRAINING || this == LOST;
    }

    /** Booted and alive with a control link: heartbeats are due (serving or standing by). */
    boolean isBooted() {
        return this == READY || this == STANDBY;
    }
}
