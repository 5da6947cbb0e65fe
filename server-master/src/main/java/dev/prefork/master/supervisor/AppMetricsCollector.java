package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.segment.AppMetric;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applications' named counters and gauges ({@code WorkerContext.counter/gauge}), read from the segments at
 * scrape time: {@code prefork_app_<name>_total} summed over the workers (the gone ones' final counts included, never
 * reported lower) and {@code prefork_worker_app_<name>_total{worker}}; gauges as {@code prefork_app_<name>} summed
 * over the live workers and per worker. A name one worker uses as a counter and another as a gauge is shown as the
 * counter only.
 */
final class AppMetricsCollector implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(AppMetricsCollector.class);
    private static final String POOL = "prefork_app_";
    private static final String PER_WORKER = "prefork_worker_app_";

    private final SegmentMeters segments;
    private final Map<String, Double> reported = new HashMap<>();

    AppMetricsCollector(SegmentMeters segments) {
        this.segments = segments;
    }

    @Override
    public synchronized MetricSnapshots collect() {
        Map<String, Double> counterSums = new LinkedHashMap<>(segments.retiredAppCounters());
        Map<String, Double> gaugeSums = new LinkedHashMap<>();
        Map<String, List<CounterSnapshot.CounterDataPointSnapshot>> counterPoints = new LinkedHashMap<>();
        Map<String, List<GaugeSnapshot.GaugeDataPointSnapshot>> gaugePoints = new LinkedHashMap<>();
        for (WorkerHandle h : segments.live()) {
            Labels worker = Labels.of(MetricNames.TAG_WORKER, Integer.toString(h.id()));
            for (AppMetric m : h.figures().app()) {
                if (m.counter()) {
                    counterSums.merge(m.name(), (double) m.value(), Double::sum);
                    counterPoints.computeIfAbsent(m.name(), n -> new ArrayList<>())
                            .add(new CounterSnapshot.CounterDataPointSnapshot(m.value(), worker, null, 0));
                } else {
                    gaugeSums.merge(m.name(), (double) m.value(), Double::sum);
                    gaugePoints.computeIfAbsent(m.name(), n -> new ArrayList<>())
                            .add(new GaugeSnapshot.GaugeDataPointSnapshot(m.value(), worker, null));
                }
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        counterSums.forEach((name, sum) -> {
            double shown = Math.max(sum, reported.getOrDefault(name, 0.0));
            reported.put(name, shown);
            add(out, name, () -> new CounterSnapshot(new MetricMetadata(POOL + name, "application counter " + name
                    + ", all workers"), List.of(new CounterSnapshot.CounterDataPointSnapshot(shown, Labels.EMPTY, null, 0))));
            List<CounterSnapshot.CounterDataPointSnapshot> points = counterPoints.get(name);
            if (points != null) {
                add(out, name, () -> new CounterSnapshot(new MetricMetadata(PER_WORKER + name, "application counter "
                        + name + ", by worker"), points));
            }
        });
        gaugeSums.forEach((name, sum) -> {
            if (counterSums.containsKey(name)) {
                return;
            }
            add(out, name, () -> new GaugeSnapshot(new MetricMetadata(POOL + name, "application gauge " + name
                    + ", all live workers"), List.of(new GaugeSnapshot.GaugeDataPointSnapshot(sum, Labels.EMPTY, null))));
            add(out, name, () -> new GaugeSnapshot(new MetricMetadata(PER_WORKER + name, "application gauge " + name
                    + ", by worker"), gaugePoints.get(name)));
        });
        return new MetricSnapshots(out);
    }

    /** A name the exposition format refuses (e.g. a reserved suffix) is left out, not the whole scrape. */
    private static void add(List<MetricSnapshot> out, String name, java.util.function.Supplier<MetricSnapshot> make) {
        try {
            out.add(make.get());
        } catch (IllegalArgumentException e) {
            LOG.debug("application metric {} left out: {}", name, e.getMessage());
        }
    }
}
