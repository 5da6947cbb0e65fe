package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * The request-duration histograms from the segments' fixed buckets, as Prometheus histograms (Micrometer has no
 * meter for buckets counted elsewhere): {@code prefork_request_duration_seconds} over all workers, the gone ones
 * included so no bucket ever goes down, and {@code prefork_worker_request_duration_seconds{worker}}.
 */
final class DurationHistograms implements MultiCollector {
    private static final double[] BOUNDS = bounds();

    private final SegmentMeters segments;
    /** The last pool counts reported per bucket (cumulative), then the sum: never report less. */
    private final long[] reported = new long[SegmentLayout.BUCKET_COUNT + 1];

    DurationHistograms(SegmentMeters segments) {
        this.segments = segments;
    }

    @Override
    public synchronized MetricSnapshots collect() {
        long[] pool = segments.retiredHistogram();
        List<HistogramSnapshot.HistogramDataPointSnapshot> perWorker = new ArrayList<>();
        for (WorkerHandle h : segments.live()) {
            SegmentSnapshot s = h.figures();
            long nanos = s.get(SegmentField.REQUEST_DURATION_NANOS);
            for (int i = 0; i < SegmentLayout.BUCKET_COUNT; i++) {
                pool[i] += s.buckets()[i];
            }
            pool[SegmentLayout.BUCKET_COUNT] += nanos;
            perWorker.add(point(cumulative(s.buckets()), nanos,
                    Labels.of(MetricNames.TAG_WORKER, Integer.toString(h.id()))));
        }
        long[] cumulative = cumulative(pool);
        for (int i = 0; i < reported.length - 1; i++) {
            reported[i] = Math.max(reported[i], cumulative[i]);
        }
        reported[SegmentLayout.BUCKET_COUNT] = Math.max(reported[SegmentLayout.BUCKET_COUNT], pool[SegmentLayout.BUCKET_COUNT]);
        return MetricSnapshots.of(
                new HistogramSnapshot(new MetricMetadata(name(MetricNames.REQUEST_DURATION),
                        "request durations (start to response), all workers"),
                        List.of(point(java.util.Arrays.copyOf(reported, SegmentLayout.BUCKET_COUNT),
                                reported[SegmentLayout.BUCKET_COUNT], Labels.EMPTY))),
                new HistogramSnapshot(new MetricMetadata(name(MetricNames.WORKER_REQUEST_DURATION),
                        "request durations (start to response), by worker"), perWorker));
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot point(long[] cumulative, long sumNanos, Labels labels) {
        long[] counts = new long[cumulative.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(BOUNDS, counts),
                sumNanos / 1e9, labels, null, 0);
    }

    /** Running totals of the first BUCKET_COUNT values. */
    private static long[] cumulative(long[] counts) {
        long[] c = new long[SegmentLayout.BUCKET_COUNT];
        long total = 0;
        for (int i = 0; i < c.length; i++) {
            total += counts[i];
            c[i] = total;
        }
        return c;
    }

    private static String name(String dotted) {
        return dotted.replace('.', '_');
    }

    private static double[] bounds() {
        double[] b = new double[SegmentLayout.BUCKET_COUNT];
        for (int i = 0; i < SegmentLayout.DURATION_BUCKETS_SECONDS.size(); i++) {
            b[i] = SegmentLayout.DURATION_BUCKETS_SECONDS.get(i);
        }
        b[b.length - 1] = Double.POSITIVE_INFINITY;
        return b;
    }
}
