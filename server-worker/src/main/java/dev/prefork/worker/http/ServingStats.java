package dev.prefork.worker.http;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.RequestFigures;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The worker's serving counters, kept in its segment (the master reads them at scrape time): atomic adds from the
 * event loops and handler threads, nothing else on the request path. Also fires the max-requests hook once when the
 * served count reaches its threshold.
 */
public final class ServingStats {
    private static final int CONNECTIONS = SegmentField.CONNECTIONS_OPEN.offset();

    private final SegmentBuffer segment;
    private final RequestFigures requests;
    private final long recycleAfter;
    private final Runnable onRecycleThreshold;
    private final AtomicBoolean recycleSignalled = new AtomicBoolean();

    /**
     * @param segment            where the counters live: the worker's mapped segment, or one in plain memory
     * @param recycleAfter       served requests after which {@code onRecycleThreshold} runs once; 0 = never
     * @param onRecycleThreshold runs on the serving event loop that served the last request; must not block
     */
    public ServingStats(SegmentBuffer segment, long recycleAfter, Runnable onRecycleThreshold) {
        this.segment = segment;
        this.requests = new RequestFigures(segment);
        this.recycleAfter = recycleAfter;
        this.onRecycleThreshold = onRecycleThreshold;
    }

    /** Counters in plain memory, without a recycle threshold. */
    public ServingStats() {
        this(SegmentBuffer.inMemory(), 0, null);
    }

    /** The segment the counters live in (the JVM sampler writes its figures next to them). */
    public SegmentBuffer segment() {
        return segment;
    }

    public long requestsTotal() {
        return requests.total();
    }

    public int requestsInFlight() {
        return requests.inFlight();
    }

    public int connectionsOpen() {
        return (int) Math.max(0, segment.getLongVolatile(CONNECTIONS));
    }

    /** Requests answered 503 by the request timeout. */
    public long requestTimeoutsTotal() {
        return segment.getLongVolatile(SegmentField.REQUEST_TIMEOUTS.offset());
    }

    void requestTimedOut() {
        segment.getAndAddLong(SegmentField.REQUEST_TIMEOUTS.offset(), 1);
    }

    /** Requests answered 503 at once because every handler thread was busy and the thread queue full. */
    public long threadsFullTotal() {
        return segment.getLongVolatile(SegmentField.THREADS_FULL.offset());
    }

    void threadsFull() {
        segment.getAndAddLong(SegmentField.THREADS_FULL.offset(), 1);
    }

    /** Returns the start time to hand to {@link #requestFinished}. */
    long requestStarted() {
        return requests.started();
    }

    void requestFinished(long startNanos, int status) {
        long served = requests.finished(startNanos, status);
        if (recycleAfter > 0 && served >= recycleAfter && !recycleSignalled.get()
                && recycleSignalled.compareAndSet(false, true)) {
            onRecycleThreshold.run();
        }
    }

    void connectionOpened() {
        segment.getAndAddLong(CONNECTIONS, 1);
    }

    void connectionClosed() {
        segment.getAndAddLong(CONNECTIONS, -1);
    }

    void bytesReceived(long bytes) {
        segment.getAndAddLong(SegmentField.BYTES_RECEIVED.offset(), bytes);
    }

    void bytesSent(long bytes) {
        segment.getAndAddLong(SegmentField.BYTES_SENT.offset(), bytes);
    }
}
