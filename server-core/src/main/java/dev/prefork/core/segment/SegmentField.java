package dev.prefork.core.segment;

/**
 * The fixed figures of a worker segment, one 8-byte slot each, in layout order: adding one appends it (and bumps
 * {@link SegmentLayout#VERSION}); never reorder. Counters never decrease while the worker lives; gauges are
 * levels. Only the worker writes them; the master reads them at scrape time.
 */
public enum SegmentField {
    REQUESTS(Kind.COUNTER),
    REQUESTS_IN_FLIGHT(Kind.GAUGE),
    CONNECTIONS_OPEN(Kind.GAUGE),
    BYTES_RECEIVED(Kind.COUNTER),
    BYTES_SENT(Kind.COUNTER),
    STATUS_1XX(Kind.COUNTER),
    STATUS_2XX(Kind.COUNTER),
    STATUS_3XX(Kind.COUNTER),
    STATUS_4XX(Kind.COUNTER),
    STATUS_5XX(Kind.COUNTER),
    /** Sum of request durations, nanoseconds (the histogram's {@code _sum}). */
    REQUEST_DURATION_NANOS(Kind.COUNTER),
    REQUEST_TIMEOUTS(Kind.COUNTER),
    THREADS_FULL(Kind.COUNTER),
    HEAP_USED_BYTES(Kind.GAUGE),
    HEAP_COMMITTED_BYTES(Kind.GAUGE),
    /** -1 when the JVM has no heap limit. */
    HEAP_MAX_BYTES(Kind.GAUGE),
    /** Heap in use right after the last collection (the memory pools' collection usage); -1 before any. */
    HEAP_AFTER_GC_BYTES(Kind.GAUGE),
    GC_COLLECTIONS(Kind.COUNTER),
    GC_PAUSE_MILLIS(Kind.COUNTER),
    LIVE_THREADS(Kind.GAUGE),
    DIRECT_BUFFER_BYTES(Kind.GAUGE),
    CPU_NANOS(Kind.COUNTER),
    UPTIME_MILLIS(Kind.GAUGE),
    LOOP_LAG_MILLIS(Kind.GAUGE),
    /** Resident set size of the worker process (VmRSS), bytes. */
    RSS_BYTES(Kind.GAUGE),
    /** Epoch millis of the last JVM sample; 0 before the first. */
    JVM_SAMPLED_AT_MILLIS(Kind.GAUGE);

    /** Whether a figure may only grow (a Prometheus counter) or is a level. */
    public enum Kind { COUNTER, GAUGE }

    private final Kind kind;

    SegmentField(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Byte offset in the segment. */
    public int offset() {
        return SegmentLayout.FIELDS_OFFSET + ordinal() * Long.BYTES;
    }
}
