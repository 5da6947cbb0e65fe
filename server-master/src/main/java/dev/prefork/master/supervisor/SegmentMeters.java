package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' figures, read from their segments at scrape time (exec workers: from their reports, see
 * {@link WorkerHandle#figures()}): a pool-wide meter (summed over live workers plus
 * the final figures of the workers that are gone, so a counter never goes down) and a per-worker meter with the
 * {@code worker} tag, for each {@link SegmentField} that has a {@link Exposure}.
 */
final class SegmentMeters {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentMeters.class);

    /**
     * How a segment field is exposed; {@code pool} null = per worker only; {@code unit} a Micrometer base unit
     * (Prometheus appends it to the name) or null when the name carries it.
     */
    record Exposure(String pool, String perWorker, Tags tags, double scale, String unit, String description) {
        Exposure(String pool, String perWorker, Tags tags, double scale, String description) {
            this(pool, perWorker, tags, scale, null, description);
        }
    }

    static final Map<SegmentField, Exposure> EXPOSED = exposures();

    private final MeterRegistry registry;
    private final Map<Integer, WorkerHandle> live = new ConcurrentHashMap<>();
    private final Map<SegmentField, Double> retired = new EnumMap<>(SegmentField.class);
    /** Application counters of the workers that are gone, by name. */
    private final Map<String, Double> retiredApp = new java.util.HashMap<>();
    /** Request-duration histogram counts of the workers that are gone. */
    private final long[] retiredBuckets = new long[SegmentLayout.BUCKET_COUNT];
    /** The last value each pool counter reported: never report less (a worker moving from live to retired). */
    private final Map<SegmentField, Double> reported = new EnumMap<>(SegmentField.class);
    private final Counter rejected;

    SegmentMeters(MeterRegistry registry) {
        this.registry = registry;
        rejected = Counter.builder(MetricNames.SEGMENT_REJECTED)
                .description("worker segment reads refused by validation (a worker scribbled over its figures)")
                .register(registry);
        EXPOSED.forEach((field, e) -> {
            if (e.pool() == null) {
                return;
            }
            if (field.kind() == SegmentField.Kind.COUNTER) {
                FunctionCounter.builder(e.pool(), this, m -> m.poolCounter(field)).tags(e.tags()).baseUnit(e.unit())
                        .description(e.description() + ", all workers").register(registry);
            } else {
                Gauge.builder(e.pool(), this, m -> m.liveSum(field)).tags(e.tags()).baseUnit(e.unit())
                        .description(e.description() + ", all live workers").register(registry);
            }
        });
    }

    /** Registers the worker's own meters. */
    List<Meter> workerConnected(WorkerHandle h) {
        Tags worker = Tags.of(MetricNames.TAG_WORKER, Integer.toString(h.id()));
        List<Meter> meters = new ArrayList<>();
        EXPOSED.forEach((field, e) -> {
            Tags tags = e.tags().and(worker);
            if (field.kind() == SegmentField.Kind.COUNTER) {
                meters.add(FunctionCounter.builder(e.perWorker(), h, w -> value(w, field, e)).tags(tags)
                        .baseUnit(e.unit()).description(e.description() + ", by worker").register(registry));
            } else {
                meters.add(Gauge.builder(e.perWorker(), h, w -> value(w, field, e)).tags(tags)
                        .baseUnit(e.unit()).description(e.description() + ", by worker").register(registry));
            }
        });
        live.put(h.id(), h);
        return meters;
    }

    /** Folds a gone worker's final counters into the pool totals and deletes its segment. */
    synchronized void workerGone(WorkerHandle h) {
        if (live.remove(h.id()) == null) {
            return;
        }
        SegmentSnapshot last = h.retireSegment();
        countRejection(h);
        for (SegmentField f : SegmentField.values()) {
            if (f.kind() == SegmentField.Kind.COUNTER) {
                retired.merge(f, (double) Math.max(0, last.get(f)), Double::sum);
            }
        }
        for (int i = 0; i < retiredBuckets.length; i++) {
            retiredBuckets[i] += last.buckets()[i];
        }
        for (dev.prefork.core.segment.AppMetric m : last.app()) {
            if (m.counter()) {
                retiredApp.merge(m.name(), (double) m.value(), Double::sum);
            }
        }
    }

    /** A copy of the gone workers' application counters. */
    synchronized Map<String, Double> retiredAppCounters() {
        return new java.util.HashMap<>(retiredApp);
    }

    /** The live workers, for the duration histograms. */
    Iterable<WorkerHandle> live() {
        return live.values();
    }

    /** A copy of the gone workers' histogram counts and their duration sum (nanoseconds, last element). */
    synchronized long[] retiredHistogram() {
        long[] copy = java.util.Arrays.copyOf(retiredBuckets, retiredBuckets.length + 1);
        copy[retiredBuckets.length] = (long) (double) retired.getOrDefault(SegmentField.REQUEST_DURATION_NANOS, 0.0);
        return copy;
    }

    private double value(WorkerHandle h, SegmentField field, Exposure e) {
        long v = h.figures().get(field);
        countRejection(h);
        return v < 0 ? Double.NaN : v * e.scale();
    }

    private void countRejection(WorkerHandle h) {
        String why = h.takeRejection();
        if (why != null) {
            rejected.increment();
            LOG.warn("{}: segment refused ({}); showing its last good figures", h, why);
        }
    }

    private synchronized double poolCounter(SegmentField field) {
        double total = retired.getOrDefault(field, 0.0) + liveSum(field);
        double shown = Math.max(total, reported.getOrDefault(field, 0.0));
        reported.put(field, shown);
        return shown * EXPOSED.get(field).scale();
    }

    private double liveSum(SegmentField field) {
        double total = 0;
        for (WorkerHandle h : live.values()) {
            total += Math.max(0, h.figures().get(field));
            countRejection(h);
        }
        return field.kind() == SegmentField.Kind.COUNTER ? total : total * EXPOSED.get(field).scale();
    }

    double rejectedCount() {
        return rejected.count();
    }

    private static Map<SegmentField, Exposure> exposures() {
        Map<SegmentField, Exposure> m = new EnumMap<>(SegmentField.class);
        Tags none = Tags.empty();
        m.put(SegmentField.REQUESTS, new Exposure(MetricNames.REQUESTS, MetricNames.WORKER_REQUESTS, none, 1,
                "requests served"));
        m.put(SegmentField.REQUESTS_IN_FLIGHT, new Exposure(MetricNames.REQUESTS_IN_FLIGHT,
                MetricNames.WORKER_REQUESTS_IN_FLIGHT, none, 1, "requests in flight"));
        m.put(SegmentField.CONNECTIONS_OPEN, new Exposure(MetricNames.CONNECTIONS_OPEN,
                MetricNames.WORKER_CONNECTIONS_OPEN, none, 1, "open connections"));
        m.put(SegmentField.BYTES_RECEIVED, new Exposure(MetricNames.RECEIVED_BYTES, MetricNames.WORKER_RECEIVED_BYTES,
                none, 1, "bytes received on client connections (TLS records included)"));
        m.put(SegmentField.BYTES_SENT, new Exposure(MetricNames.SENT_BYTES, MetricNames.WORKER_SENT_BYTES, none, 1,
                "bytes sent on client connections (TLS records included)"));
        SegmentField[] statuses = {SegmentField.STATUS_1XX, SegmentField.STATUS_2XX, SegmentField.STATUS_3XX,
                SegmentField.STATUS_4XX, SegmentField.STATUS_5XX};
        for (int i = 0; i < statuses.length; i++) {
            m.put(statuses[i], new Exposure(MetricNames.RESPONSES, MetricNames.WORKER_RESPONSES,
                    Tags.of(MetricNames.TAG_STATUS, (i + 1) + "xx"), 1, "responses by status class"));
        }
        m.put(SegmentField.REQUEST_TIMEOUTS, new Exposure(MetricNames.REQUEST_TIMEOUTS,
                MetricNames.WORKER_REQUEST_TIMEOUTS, none, 1, "requests answered 503 after --request-timeout"));
        m.put(SegmentField.THREADS_FULL, new Exposure(MetricNames.REQUESTS_REJECTED, MetricNames.WORKER_REQUESTS_REJECTED,
                Tags.of(MetricNames.TAG_REASON, MetricNames.REASON_THREADS_FULL), 1,
                "requests refused 503 at once; threads_full: every --threads handler thread busy and --thread-queue full"));
        String bytes = BaseUnits.BYTES;
        String seconds = "seconds";
        m.put(SegmentField.HEAP_USED_BYTES, new Exposure(MetricNames.JVM_HEAP_USED, MetricNames.WORKER_JVM_HEAP_USED,
                none, 1, bytes, "JVM heap in use"));
        m.put(SegmentField.HEAP_COMMITTED_BYTES, new Exposure(MetricNames.JVM_HEAP_COMMITTED,
                MetricNames.WORKER_JVM_HEAP_COMMITTED, none, 1, bytes, "JVM heap committed"));
        m.put(SegmentField.HEAP_MAX_BYTES, new Exposure(MetricNames.JVM_HEAP_MAX, MetricNames.WORKER_JVM_HEAP_MAX, none,
                1, bytes, "JVM heap limit (-Xmx)"));
        m.put(SegmentField.GC_COLLECTIONS, new Exposure(MetricNames.JVM_GC_COLLECTIONS,
                MetricNames.WORKER_JVM_GC_COLLECTIONS, none, 1, null, "JVM garbage collections, all collectors"));
        m.put(SegmentField.GC_PAUSE_MILLIS, new Exposure(MetricNames.JVM_GC_PAUSE, MetricNames.WORKER_JVM_GC_PAUSE, none,
                1e-3, seconds, "JVM time in garbage collection, all collectors"));
        m.put(SegmentField.LIVE_THREADS, new Exposure(MetricNames.JVM_THREADS_LIVE, MetricNames.WORKER_JVM_THREADS_LIVE,
                none, 1, null, "JVM live threads"));
        m.put(SegmentField.HEAP_AFTER_GC_BYTES, new Exposure(null, MetricNames.WORKER_JVM_HEAP_AFTER_GC, none, 1, bytes,
                "JVM heap in use after the last GC (-1 before the first)"));
        m.put(SegmentField.DIRECT_BUFFER_BYTES, new Exposure(null, MetricNames.WORKER_JVM_DIRECT_BUFFER, none, 1, bytes,
                "JVM direct buffer memory"));
        m.put(SegmentField.CPU_NANOS, new Exposure(null, MetricNames.WORKER_CPU, none, 1e-9, seconds,
                "worker process CPU time"));
        m.put(SegmentField.UPTIME_MILLIS, new Exposure(null, MetricNames.WORKER_UPTIME, none, 1e-3, seconds,
                "worker JVM uptime"));
        m.put(SegmentField.LOOP_LAG_MILLIS, new Exposure(null, MetricNames.WORKER_LOOP_LAG, none, 1e-3, seconds,
                "slowest event loop's lag"));
        m.put(SegmentField.RSS_BYTES, new Exposure(null, MetricNames.WORKER_RESIDENT_MEMORY, none, 1, bytes,
                "worker process resident set size (VmRSS)"));
        return m;
    }
}
