package dev.prefork.core.segment;

/**
 * Records requests into a segment: in flight, served, status class, the duration histogram and its sum. Atomic adds
 * only, from any thread. Native workers (their serving stats) and the exec-worker agent (for framework glue that
 * counts requests) both record through it, so the master reads the same figures from either.
 */
public final class RequestFigures {
    private static final int REQUESTS = SegmentField.REQUESTS.offset();
    private static final int IN_FLIGHT = SegmentField.REQUESTS_IN_FLIGHT.offset();
    private static final int DURATION = SegmentField.REQUEST_DURATION_NANOS.offset();
    private static final int STATUS_1XX = SegmentField.STATUS_1XX.offset();

    private final SegmentBuffer segment;

    public RequestFigures(SegmentBuffer segment) {
        this.segment = segment;
    }

    /** A request started; returns the start time to hand to {@link #finished}. */
    public long started() {
        segment.getAndAddLong(IN_FLIGHT, 1);
        return System.nanoTime();
    }

    /**
     * The request that {@link #started} at {@code startNanos} got its response with {@code status} (outside
     * 100..599: no status class counted).
     *
     * @return the requests served so far, this one included
     */
    public long finished(long startNanos, int status) {
        long nanos = Math.max(0, System.nanoTime() - startNanos);
        segment.getAndAddLong(IN_FLIGHT, -1);
        int statusClass = status / 100;
        if (statusClass >= 1 && statusClass <= 5) {
            segment.getAndAddLong(STATUS_1XX + (statusClass - 1) * Long.BYTES, 1);
        }
        segment.getAndAddLong(SegmentLayout.bucketOffset(SegmentLayout.bucketOf(nanos)), 1);
        segment.getAndAddLong(DURATION, nanos);
        // Last, so a reader that sees the request counted also sees its bucket and status.
        return segment.getAndAddLong(REQUESTS, 1) + 1;
    }

    public long total() {
        return segment.getLongVolatile(REQUESTS);
    }

    public int inFlight() {
        return (int) Math.max(0, segment.getLongVolatile(IN_FLIGHT));
    }
}
