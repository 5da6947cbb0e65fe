package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The supervisor's meters: {@code prefork.workers{state}}, {@code prefork.worker.restarts{reason}} (all five
 * reasons registered at 0, so dashboards see them before the first restart), {@code prefork.worker.boot}
 * (spawn to ready, with a histogram), and the workers' figures from their segments ({@link SegmentMeters}).
 */
final class MasterMetrics {
    static final List<String> STATES = List.of(MetricNames.STATE_BOOTING, MetricNames.STATE_READY,
            MetricNames.STATE_DRAINING, MetricNames.STATE_STANDBY);
    static final List<String> REASONS = List.of(MetricNames.REASON_CRASHED, MetricNames.REASON_TIMEOUT,
            MetricNames.REASON_MAX_REQUESTS, MetricNames.REASON_MEMORY, MetricNames.REASON_RELOAD,
            MetricNames.REASON_BOOT_FAILED);

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> workersByState = new HashMap<>();
    private final Map<String, Counter> restarts = new HashMap<>();
    private final Timer boot;
    private final Map<Integer, List<Meter>> perWorker = new HashMap<>();
    /** Connected workers, read by the admin thread for the pool-wide sums. */
    private final Map<Integer, WorkerHandle> connected = new ConcurrentHashMap<>();
    /** The workers' own figures, from their segments. */
    private final SegmentMeters segments;
    /** Registered at the first certificate report: a plain-HTTP server has no such gauge. */
    private Gauge certificateExpiry;

    MasterMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String state : STATES) {
            AtomicInteger count = new AtomicInteger();
            workersByState.put(state, count);
            Gauge.builder(MetricNames.WORKERS, count, AtomicInteger::get)
                    .tag(MetricNames.TAG_STATE, state)
                    .description("workers by state")
                    .register(registry);
        }
        for (String reason : REASONS) {
            restarts.put(reason, Counter.builder(MetricNames.WORKER_RESTARTS)
                    .tag(MetricNames.TAG_REASON, reason)
                    .description("worker replacements by reason")
                    .register(registry));
        }
        boot = Timer.builder(MetricNames.WORKER_BOOT)
                .description("worker spawn to ready")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        segments = new SegmentMeters(registry);
    }

    void restarted(String reason) {
        Counter counter = restarts.get(reason);
        if (counter == null) {
            throw new IllegalArgumentException("unknown restart reason " + reason);
        }
        counter.increment();
    }

    void booted(Duration spawnToReady) {
        boot.record(spawnToReady);
    }

    /** Sets {@code prefork.workers} from the live workers. */
    void countStates(Iterable<WorkerHandle> live) {
        Map<String, Integer> counts = new HashMap<>();
        for (WorkerHandle h : live) {
            String tag = h.state().metricTag();
            if (tag != null) {
                counts.merge(tag, 1, Integer::sum);
            }
        }
        workersByState.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0)));
    }

    /** Registers the segment figures of a connected worker, tagged with its id. */
    void workerConnected(WorkerHandle h) {
        perWorker.put(h.id(), segments.workerConnected(h));
        connected.put(h.id(), h);
    }

    /**
     * A worker reported the expiry of the TLS certificate it serves: from the first report on, the gauge shows the
     * soonest expiry among the certificates connected workers serve (during a rotation, the old one until every
     * worker has the new one).
     */
    void certificateServed() {
        if (certificateExpiry == null) {
            certificateExpiry = Gauge.builder(MetricNames.TLS_CERTIFICATE_EXPIRY, this, MasterMetrics::soonestExpiry)
                    .description("expiry (epoch seconds) of the TLS certificate served, the soonest among workers")
                    .register(registry);
        }
    }

    private double soonestExpiry() {
        long soonest = Long.MAX_VALUE;
        for (WorkerHandle h : connected.values()) {
            long notAfter = h.certificateNotAfter();
            if (notAfter > 0 && notAfter < soonest) {
                soonest = notAfter;
            }
        }
        return soonest == Long.MAX_VALUE ? Double.NaN : soonest;
    }

    /** Removes an exited worker's own meters, so ids do not pile up. */
    void workerGone(WorkerHandle h) {
        connected.remove(h.id());
        segments.workerGone(h);
        List<Meter> meters = perWorker.remove(h.id());
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    /** The request-duration histograms, for the Prometheus registry (Micrometer has no meter for them). */
    DurationHistograms durationHistograms() {
        return new DurationHistograms(segments);
    }

    /** The applications' named counters and gauges, for the Prometheus registry. */
    AppMetricsCollector appMetrics() {
        return new AppMetricsCollector(segments);
    }

    double restartCount(String reason) {
        return restarts.get(reason).count();
    }
}
