package dev.prefork.worker.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The worker's counters, updated on the serving event loops with uncontended adders and read by the
 * heartbeat. Also fires the max-requests hook once when the served count reaches its threshold.
 */
public final class ServingStats {
    private final LongAdder requestsTotal = new LongAdder();
    private final LongAdder requestsInFlight = new LongAdder();
    private final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder requestTimeouts = new LongAdder();
    private final LongAdder threadsFull = new LongAdder();
    private final long recycleAfter;
    private final Runnable onRecycleThreshold;
    private final AtomicBoolean recycleSignalled = new AtomicBoolean();

    /**
     * @param recycleAfter       served requests after which {@code onRecycleThreshold} runs once; 0 = never
     * @param onRecycleThreshold runs on the serving event loop that served the last request; must not block
     */
    public ServingStats(long recycleAfter, Runnable onRecycleThreshold) {
        this.recycleAfter = recycleAfter;
        this.onRecycleThreshold = onRecycleThreshold;
    }

    /** Counters without a recycle threshold. */
    public ServingStats() {
        this(0, null);
    }

    public long requestsTotal() {
        return requestsTotal.sum();
    }

    public int requestsInFlight() {
        return (int) Math.max(0, requestsInFlight.sum());
    }

    public int connectionsOpen() {
        return (int) Math.max(0, connectionsOpen.sum());
    }

    /** Requests answered 503 by the request timeout. */
    public long requestTimeoutsTotal() {
        return requestTimeouts.sum();
    }

    void requestTimedOut() {
        requestTimeouts.increment();
    }

    /** Requests answered 503 at once because every handler thread was busy and the thread queue full. */
    public long threadsFullTotal() {
        return threadsFull.sum();
    }

    void threadsFull() {
        threadsFull.increment();
    }

    void requestStarted() {
        requestsInFlight.increment();
    }

    void requestFinished() {
        requestsInFlight.decrement();
        requestsTotal.increment();
        if (recycleAfter > 0 && !recycleSignalled.get() && requestsTotal.sum() >= recycleAfter
                && recycleSignalled.compareAndSet(false, true)) {
            onRecycleThreshold.run();
        }
    }

    void connectionOpened() {
        connectionsOpen.increment();
    }

    void connectionClosed() {
        connectionsOpen.decrement();
    }
}
