package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.control.ControlMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The supervisor's meters: {@code prefork.workers{state}}, {@code prefork.worker.restarts{reason}} (all five
 * reasons registered at 0, so dashboards see them before the first restart), {@code prefork.worker.boot}
 * (spawn to ready, with a histogram), and per-worker figures from heartbeats.
 */
final class MasterMetrics {
    static final List<String> STATES = List.of(MetricNames.STATE_BOOTING, MetricNames.STATE_READY,
            MetricNames.STATE_DRAINING, MetricNames.STATE_STANDBY);
    static final List<String> REASONS = List.of(MetricNames.REASON_CRASHED, MetricNames.REASON_TIMEOUT,
            MetricNames.REASON_MAX_REQUESTS, MetricNames.REASON_RELOAD, MetricNames.REASON_BOOT_FAILED);

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> workersByState = new HashMap<>();
    private final Map<String, Counter> restarts = new HashMap<>();
    private final Timer boot;
    private final Map<Integer, List<Meter>> perWorker = new HashMap<>();
    /** Connected workers, read by the admin thread for the pool-wide sums. */
    private final Map<Integer, WorkerHandle> connected = new ConcurrentHashMap<>();
    /** Requests served by workers that are gone, so the pool-wide total never goes down. */
    private final AtomicLong retiredRequests = new AtomicLong();
    /** Request timeouts counted by workers that are gone. */
    private final AtomicLong retiredTimeouts = new AtomicLong();
    /** Requests refused for full handler threads by workers that are gone. */
    private final AtomicLong retiredThreadsFull = new AtomicLong();
    /** GC collections and pause milliseconds of exec workers that are gone, for the same reason. */
    private final AtomicLong retiredGcCollections = new AtomicLong();
    private final AtomicLong retiredGcPauseMillis = new AtomicLong();
    /** Registered at the first JvmStats (exec workers only), so a pool of native workers shows no zero JVM figures. */
    private boolean jvmSumsRegistered;
    private final Set<Integer> withJvmMeters = new HashSet<>();
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
        FunctionCounter.builder(MetricNames.REQUESTS, this, MasterMetrics::poolRequests)
                .description("requests served by all workers, from heartbeats").register(registry);
        FunctionCounter.builder(MetricNames.REQUEST_TIMEOUTS, this,
                        m -> m.retiredTimeouts.get() + m.sum(WorkerHandle::requestTimeoutsTotal))
                .description("requests answered 503 after --request-timeout, all workers, from heartbeats")
                .register(registry);
        FunctionCounter.builder(MetricNames.REQUESTS_REJECTED, this,
                        m -> m.retiredThreadsFull.get() + m.sum(WorkerHandle::threadsFullTotal))
                .tag(MetricNames.TAG_REASON, MetricNames.REASON_THREADS_FULL)
                .description("requests refused 503 at once, all workers, from heartbeats; threads_full: every "
                        + "--threads handler thread busy and --thread-queue full")
                .register(registry);
        Gauge.builder(MetricNames.REQUESTS_IN_FLIGHT, this, m -> m.sum(WorkerHandle::requestsInFlight))
                .description("requests in flight in all workers, from heartbeats").register(registry);
        Gauge.builder(MetricNames.CONNECTIONS_OPEN, this, m -> m.sum(WorkerHandle::connectionsOpen))
                .description("open connections in all workers, from heartbeats").register(registry);
    }

    private double poolRequests() {
        return retiredRequests.get() + sum(WorkerHandle::requestsTotal);
    }

    private double sum(ToDoubleFunction<WorkerHandle> figure) {
        double total = 0;
        for (WorkerHandle h : connected.values()) {
            total += figure.applyAsDouble(h);
        }
        return total;
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

    /** Registers the heartbeat figures of a connected worker, tagged with its id. */
    void workerConnected(WorkerHandle h) {
        Tags tags = Tags.of(MetricNames.TAG_WORKER, Integer.toString(h.id()));
        List<Meter> meters = new ArrayList<>();
        meters.add(FunctionCounter.builder(MetricNames.WORKER_REQUESTS, h, WorkerHandle::requestsTotal)
                .tags(tags).description("requests served, by worker").register(registry));
        meters.add(Gauge.builder(MetricNames.WORKER_REQUESTS_IN_FLIGHT, h, WorkerHandle::requestsInFlight)
                .tags(tags).description("requests in flight, by worker").register(registry));
        meters.add(Gauge.builder(MetricNames.WORKER_CONNECTIONS_OPEN, h, WorkerHandle::connectionsOpen)
                .tags(tags).description("open connections, by worker").register(registry));
        perWorker.put(h.id(), meters);
        connected.put(h.id(), h);
    }

    /**
     * A worker's agent sent JVM figures: the first time, registers its {@code prefork.worker.jvm.*} meters (and
     * the pool-wide sums, once).
     */
    void jvmStats(WorkerHandle h) {
        if (!jvmSumsRegistered) {
            jvmSumsRegistered = true;
            registerJvmSums();
        }
        List<Meter> meters = perWorker.get(h.id());
        if (meters == null || !withJvmMeters.add(h.id())) {
            return;
        }
        Tags tags = Tags.of(MetricNames.TAG_WORKER, Integer.toString(h.id()));
        meters.add(Gauge.builder(MetricNames.WORKER_JVM_HEAP_USED, h, w -> jvm(w, ControlMessage.JvmStats::heapUsedBytes))
                .tags(tags).baseUnit(BaseUnits.BYTES).description("heap used, by exec worker").register(registry));
        meters.add(Gauge.builder(MetricNames.WORKER_JVM_HEAP_COMMITTED, h, w -> jvm(w, ControlMessage.JvmStats::heapCommittedBytes))
                .tags(tags).baseUnit(BaseUnits.BYTES).description("heap committed, by exec worker").register(registry));
        meters.add(Gauge.builder(MetricNames.WORKER_JVM_HEAP_MAX, h, w -> jvm(w, ControlMessage.JvmStats::heapMaxBytes))
                .tags(tags).baseUnit(BaseUnits.BYTES).description("heap maximum, by exec worker").register(registry));
        meters.add(FunctionCounter.builder(MetricNames.WORKER_JVM_GC_PAUSE, h, w -> jvm(w, ControlMessage.JvmStats::gcPauseMillis) / 1000.0)
                .tags(tags).baseUnit("seconds").description("time in GC (all collectors), by exec worker").register(registry));
        meters.add(FunctionCounter.builder(MetricNames.WORKER_JVM_GC_COLLECTIONS, h, w -> jvm(w, ControlMessage.JvmStats::gcCount))
                .tags(tags).description("GC collections (all collectors), by exec worker").register(registry));
        meters.add(Gauge.builder(MetricNames.WORKER_JVM_THREADS_LIVE, h, w -> jvm(w, s -> s.liveThreads()))
                .tags(tags).description("live threads, by exec worker").register(registry));
    }

    private void registerJvmSums() {
        Gauge.builder(MetricNames.JVM_HEAP_USED, this, m -> m.sumJvm(ControlMessage.JvmStats::heapUsedBytes))
                .baseUnit(BaseUnits.BYTES).description("heap used, summed over exec workers").register(registry);
        Gauge.builder(MetricNames.JVM_HEAP_COMMITTED, this, m -> m.sumJvm(ControlMessage.JvmStats::heapCommittedBytes))
                .baseUnit(BaseUnits.BYTES).description("heap committed, summed over exec workers").register(registry);
        Gauge.builder(MetricNames.JVM_HEAP_MAX, this, m -> m.sumJvm(ControlMessage.JvmStats::heapMaxBytes))
                .baseUnit(BaseUnits.BYTES).description("heap maximum, summed over exec workers").register(registry);
        FunctionCounter.builder(MetricNames.JVM_GC_PAUSE, this,
                        m -> (m.retiredGcPauseMillis.get() + m.sumJvm(ControlMessage.JvmStats::gcPauseMillis)) / 1000.0)
                .baseUnit("seconds").description("time in GC, all exec workers (including gone ones)").register(registry);
        FunctionCounter.builder(MetricNames.JVM_GC_COLLECTIONS, this,
                        m -> m.retiredGcCollections.get() + m.sumJvm(ControlMessage.JvmStats::gcCount))
                .description("GC collections, all exec workers (including gone ones)").register(registry);
        Gauge.builder(MetricNames.JVM_THREADS_LIVE, this, m -> m.sumJvm(s -> s.liveThreads()))
                .description("live threads, summed over exec workers").register(registry);
    }

    private static double jvm(WorkerHandle h, ToDoubleFunction<ControlMessage.JvmStats> figure) {
        ControlMessage.JvmStats stats = h.jvmStats();
        return stats == null ? 0 : figure.applyAsDouble(stats);
    }

    private double sumJvm(ToDoubleFunction<ControlMessage.JvmStats> figure) {
        return sum(h -> jvm(h, figure));
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
        if (connected.remove(h.id()) != null) {
            retiredRequests.addAndGet(h.requestsTotal());
            retiredTimeouts.addAndGet(h.requestTimeoutsTotal());
            retiredThreadsFull.addAndGet(h.threadsFullTotal());
            ControlMessage.JvmStats stats = h.jvmStats();
            if (stats != null) {
                retiredGcCollections.addAndGet(stats.gcCount());
                retiredGcPauseMillis.addAndGet(stats.gcPauseMillis());
            }
        }
        withJvmMeters.remove(h.id());
        List<Meter> meters = perWorker.remove(h.id());
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    double restartCount(String reason) {
        return restarts.get(reason).count();
    }
}
