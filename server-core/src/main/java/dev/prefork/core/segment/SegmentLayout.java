package dev.prefork.core.segment;

import java.util.List;

/**
 * Layout of a worker segment, version {@link #VERSION}: the file the master creates for one worker and reads at
 * scrape time, and the only file that worker writes. All values are little-endian 8-byte aligned longs (ints in the
 * header), written by the worker with ordered stores or atomic adds and read by the master with volatile loads.
 * <pre>
 *   0  long  MAGIC                                  (master, at creation)
 *   8  int   VERSION                                (master)
 *  12  int   worker id                              (master)
 *  16  long  worker pid, 0 until the worker maps it (worker)
 *  24  int   total length of the segment            (master)
 *  64  long  {@link SegmentField} values, one per field
 *  HISTOGRAM_OFFSET   long per {@link #DURATION_BUCKETS_SECONDS} bound, then +Inf (non-cumulative counts)
 *  APP_OFFSET         {@link #APP_SLOTS} application metric slots of {@link #APP_SLOT_BYTES}:
 *                     int kind (0 free, 1 counter, 2 gauge), int name length, name (UTF-8), long value
 * </pre>
 */
public final class SegmentLayout {
    private SegmentLayout() {
    }

    /** "PRFKSEG" + layout generation, so a file that is not a segment is refused before anything else. */
    public static final long MAGIC = 0x5052464B53454731L;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int WORKER_ID_OFFSET = 12;
    public static final int PID_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    /** Fields start on their own cache line. */
    public static final int FIELDS_OFFSET = 64;

    /** Upper bounds (seconds) of the request-duration histogram buckets; a last bucket takes the rest (+Inf). */
    public static final List<Double> DURATION_BUCKETS_SECONDS =
            List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
    public static final int BUCKET_COUNT = DURATION_BUCKETS_SECONDS.size() + 1;
    public static final int HISTOGRAM_OFFSET = align(FIELDS_OFFSET + SegmentField.values().length * Long.BYTES);

    /** Most named application metrics per worker, and their longest name (UTF-8 bytes). */
    public static final int APP_SLOTS = 64;
    public static final int APP_NAME_MAX_BYTES = 48;
    public static final int APP_SLOT_BYTES = 64;
    public static final int APP_KIND_OFFSET = 0;
    public static final int APP_NAME_LENGTH_OFFSET = 4;
    public static final int APP_NAME_OFFSET = 8;
    public static final int APP_VALUE_OFFSET = 56;
    public static final int APP_KIND_FREE = 0;
    public static final int APP_KIND_COUNTER = 1;
    public static final int APP_KIND_GAUGE = 2;
    public static final int APP_OFFSET = align(HISTOGRAM_OFFSET + BUCKET_COUNT * Long.BYTES);

    /** Bytes of one segment file. */
    public static final int LENGTH = APP_OFFSET + APP_SLOTS * APP_SLOT_BYTES;

    public static int bucketOffset(int bucket) {
        return HISTOGRAM_OFFSET + bucket * Long.BYTES;
    }

    public static int appSlotOffset(int slot) {
        return APP_OFFSET + slot * APP_SLOT_BYTES;
    }

    /** The histogram bucket of a duration: the first whose bound it does not exceed. */
    public static int bucketOf(long nanos) {
        for (int i = 0; i < BOUND_NANOS.length; i++) {
            if (nanos <= BOUND_NANOS[i]) {
                return i;
            }
        }
        return BUCKET_COUNT - 1;
    }

    /** The bounds in nanoseconds, so the request path neither boxes nor divides. */
    private static final long[] BOUND_NANOS = boundNanos();

    /** A loop, not a stream: the exec-worker agent loads this class in premain, where a lambda's bootstrap costs. */
    private static long[] boundNanos() {
        long[] bounds = new long[DURATION_BUCKETS_SECONDS.size()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = Math.round(DURATION_BUCKETS_SECONDS.get(i) * 1e9);
        }
        return bounds;
    }

    private static int align(int offset) {
        return (offset + 63) & ~63;
    }
}
