package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.net.ListenerSlots;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the pool at its size and rolls it: spawns what is missing (paced by the crash backoff), drains the
 * newest workers when there are too many, and replaces stale workers (older configuration generation after HUP,
 * or a recycle request after max-requests) one at a time: the replacement must be READY before the old one
 * drains, so capacity never drops below the pool size.
 */
final class PoolPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(PoolPlanner.class);

    private final WorkerPool pool;
    private final WorkerController workers;
    private final CrashBackoff backoff;
    private final MasterMetrics metrics;
    private final ListenerSlots slots;
    private ServerConfig config;
    private int desired;
    private long generation;

    PoolPlanner(WorkerPool pool, WorkerController workers, CrashBackoff backoff, MasterMetrics metrics,
                       ListenerSlots slots, ServerConfig config) {
        this.pool = pool;
        this.slots = slots;
        this.workers = workers;
        this.backoff = backoff;
        this.metrics = metrics;
        this.config = config;
        this.desired = config.workers();
    }

    ServerConfig config() {
        return config;
    }

    int desired() {
        return desired;
    }

    long generation() {
        return generation;
    }

    /** TTIN. */
    void more() {
        int was = desired;
        desired = Math.min(ServerConfig.MAX_WORKERS, desired + 1);
        LOG.info("TTIN: pool size now {}", desired);
        changed(was);
    }

    /** TTOU: never below 1. */
    void fewer() {
        int was = desired;
        if (desired <= 1) {
            LOG.info("TTOU: pool size stays 1 (the minimum)");
            return;
        }
        desired--;
        LOG.info("TTOU: pool size now {}", desired);
        changed(was);
    }

    private void changed(int was) {
        if (was != desired) {
            MasterHooks.WorkersChanged change = new MasterHooks.WorkersChanged(was, desired);
            workers.hooks().call("nworkers_changed", x -> x.nworkersChanged(change));
        }
    }

    /** HUP: a new generation; every current worker will be replaced by one running {@code next}. */
    void reload(ServerConfig next) {
        int was = desired;
        config = next;
        desired = next.workers();
        generation++;
        LOG.info("HUP: rolling {} workers to configuration generation {} (pool size {})",
                pool.count(WorkerHandle::isCapacity), generation, desired);
        MasterHooks.Reload reload = new MasterHooks.Reload(generation, next);
        workers.hooks().call("on_reload", x -> x.onReload(reload));
        changed(was);
    }

    /** Brings the pool towards its plan; call after every event and tick while running. */
    void reconcile(long now) {
        int missing = desired - pool.count(WorkerHandle::isCapacity);
        if (missing < 0) {
            shrink(-missing, now);
            return;
        }
        for (; missing > 0 && backoff.allowsSpawn(now); missing--) {
            if (spawn(pool.freeSlot(), null, now) == null) {
                return;
            }
        }
        if (missing == 0 && pool.replacementInFlight() == null && backoff.allowsSpawn(now)) {
            List<WorkerHandle> stale = pool.staleReady(generation);
            if (!stale.isEmpty()) {
                WorkerHandle old = stale.get(0);
                WorkerHandle replacement = spawn(old.slot(), old, now);
                if (replacement != null) {
                    LOG.info("{} replaces {} once ready ({})", replacement, old, reasonFor(old));
                }
            }
        }
    }

    /**
     * Drains {@code surplus} workers: the newest, or with reuse-port the ones in the highest slots, whose sockets
     * then close (an open slot socket without a worker would hold its share of new connections).
     */
    private void shrink(int surplus, long now) {
        for (int i = 0; i < surplus; i++) {
            WorkerHandle victim = config.reusePort() ? pool.highestSlotCapacity() : pool.newestCapacity();
            workers.drain(victim, rollDrain(now), now, "pool shrinks to " + desired);
        }
        slots.shrinkTo(Math.max(desired, pool.highestHeldSlot() + 1));
    }

    /** A worker became ready: if it was a roll replacement, its old worker drains now. */
    void ready(WorkerHandle h, long now) {
        WorkerHandle old = h.replacing();
        if (old == null) {
            return;
        }
        h.replacing(null);
        if (old.isCapacity()) {
            String reason = reasonFor(old);
            metrics.restarted(reason);
            workers.drain(old, rollDrain(now), now, "replaced by " + h + ", " + reason);
        }
    }

    /** A worker left unexpectedly: a replacement booting for it now simply takes its place. */
    void left(WorkerHandle gone) {
        for (WorkerHandle h : pool.all()) {
            if (h.replacing() == gone) {
                h.replacing(null);
            }
        }
    }

    /** A worker leaving a running pool stops accepting at once (the others keep serving) and has the grace. */
    private DrainBudget rollDrain(long now) {
        return DrainBudget.of(now, Duration.ZERO, config.gracefulTimeout());
    }

    private String reasonFor(WorkerHandle old) {
        if (old.generation() < generation) {
            return MetricNames.REASON_RELOAD;
        }
        return old.recycleReason() != null ? old.recycleReason() : MetricNames.REASON_MAX_REQUESTS;
    }

    private WorkerHandle spawn(int slot, WorkerHandle replacing, long now) {
        try {
            slots.ensureSlots(slot + 1);
            WorkerHandle h = workers.spawn(slot, generation, config, now);
            h.replacing(replacing);
            return h;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot start a worker in slot {}: {}", slot, e.toString());
            backoff.crashed(now, "worker start failed");
            return null;
        }
    }
}
