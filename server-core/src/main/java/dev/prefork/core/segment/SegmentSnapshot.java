package dev.prefork.core.segment;

import java.util.List;

/**
 * What the master read from one worker segment at one moment, validated.
 *
 * @param fields  values in {@link SegmentField} order
 * @param buckets request-duration histogram counts, non-cumulative, {@link SegmentLayout#BUCKET_COUNT} of them
 * @param app     the application's named figures, in slot order
 */
public record SegmentSnapshot(int workerId, long pid, long[] fields, long[] buckets, List<AppMetric> app) {

    public long get(SegmentField field) {
        return fields[field.ordinal()];
    }

    /** An all-zero snapshot (a worker that has not attached yet). */
    public static SegmentSnapshot empty(int workerId) {
        return new SegmentSnapshot(workerId, 0, new long[SegmentField.values().length],
                new long[SegmentLayout.BUCKET_COUNT], List.of());
    }
}
