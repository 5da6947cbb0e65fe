package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.net.ListenerSlots;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the pool at its size and rolls it: fills what is missing (paced by the crash backoff), drains the
 * newest workers when there are too many, and replaces stale workers (older configuration generation after HUP,
 * or a recycle request after max-requests) one at a time: the replacement must be READY before the old one
 * drains, so capacity never drops below the pool size.
 *
 * <p>With {@code --standby N} it also keeps N standbys: workers booted with the configuration in force (and, with
 * reuse-port, holding every slot's sockets) that do not accept. A slot without a worker, or a stale worker, is
 * given to a standing-by standby at once (no boot to wait for), and a new standby boots in the background (after
 * a roll, not during it). A standby that no longer fits (booted with another configuration or code, or holding
 * another set of reuse-port slots) is drained at once and replaced.
 */
final class PoolPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(PoolPlanner.class);
    /**
     * After a standby took a dead worker's slot, the next standby's JVM boot waits this long, so that it does not
     * take the CPU from the activated worker's first requests (measured with one worker: kill to served 28 ms
     * median without the wait, 20 ms with it). A roll's swaps refill when the roll is done ({@link #rolling}).
     */
    static final long STANDBY_REFILL_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WorkerPool pool;
    private final WorkerController workers;
    private final CrashBackoff backoff;
    private final MasterMetrics metrics;
    private final ListenerSlots slots;
    private ServerConfig config;
    /** The configuration before the last HUP, for its log line. */
    private ServerConfig previous;
    /** The code new workers run, as of the start or the last HUP: a standby recorded with other code does not fit. */
    private String codeVersion;
    private int desired;
    private long generation;
    /** When a standby last took a slot that had no worker (not a roll's swap): the refill waits after it. */
    private long lastActivationAt = Long.MIN_VALUE / 2;

    PoolPlanner(WorkerPool pool, WorkerController workers, CrashBackoff backoff, MasterMetrics metrics,
                       ListenerSlots slots, ServerConfig config) {
        this.pool = pool;
        this.slots = slots;
        this.workers = workers;
        this.backoff = backoff;
        this.metrics = metrics;
        this.config = config;
        this.desired = config.workers();
        this.codeVersion = workers.codeVersion();
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
        String code = workers.codeVersion();
        boolean codeChanged = !code.equals(codeVersion);
        codeVersion = code;
        previous = config;
        config = next;
        desired = next.workers();
        generation++;
        LOG.info("HUP: rolling {} workers to configuration generation {} (pool size {}{})",
                pool.count(WorkerHandle::isCapacity), generation, desired, pool.count(WorkerHandle::isStandby) == 0
                        ? "" : next.equals(previous) && !codeChanged
                        ? "; configuration and class path unchanged: swapping through the standbys"
                        : "; configuration or class path changed: replacing the standbys first");
        MasterHooks.Reload reload = new MasterHooks.Reload(generation, next);
        workers.hooks().call("on_reload", x -> x.onReload(reload));
        changed(was);
    }

    /** Brings the pool towards its plan; call after every event and tick while running. */
    void reconcile(long now) {
        int missing = desired - pool.count(WorkerHandle::isCapacity);
        if (missing < 0) {
            shrink(-missing, now);
            keepStandbys(now);
            return;
        }
        for (; missing > 0; missing--) {
            int slot = pool.freeSlot();
            WorkerHandle standby = fittingStandby();
            if (standby != null && workers.activate(standby, slot, generation, config.reusePort(),
                    "slot " + slot + " has no worker")) {
                lastActivationAt = now;
                continue;
            }
            if (!backoff.allowsSpawn(now) || spawn(slot, null, now) == null) {
                return;
            }
        }
        // Standbys that no longer fit are replaced before the roll goes on; those the roll used, after it.
        keepStandbys(now);
        roll(now);
        keepStandbys(now);
    }

    /**
     * Replaces stale workers: each through a standby while one stands by (the old worker drains at once), else
     * one at a time through a replacement that must be ready before its old worker drains.
     */
    private void roll(long now) {
        WorkerHandle inFlight = pool.replacementInFlight();
        for (WorkerHandle old : pool.staleReady(generation)) {
            if (inFlight != null && inFlight.replacing() == old) {
                continue;
            }
            WorkerHandle standby = fittingStandby();
            if (standby == null) {
                break;
            }
            String reason = reasonFor(old);
            if (workers.activate(standby, old.slot(), generation, config.reusePort(), "replaces " + old + ", " + reason)) {
                metrics.restarted(reason);
                workers.drain(old, rollDrain(now), now, "replaced by " + standby + ", " + reason);
            }
        }
        if (inFlight == null && backoff.allowsSpawn(now)) {
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
     * Keeps {@code --standby} standbys that fit: drains those that do not (or are too many), and once no serving
     * slot is waiting for a booting worker (serving first), boots what is missing, paced by the crash backoff.
     */
    private void keepStandbys(long now) {
        List<WorkerHandle> kept = new ArrayList<>();
        for (WorkerHandle h : pool.where(h -> h.isStandby() && h.isLive() && !h.state().isLeaving())) {
            if (!fits(h)) {
                workers.drain(h, rollDrain(now), now, !config.equals(h.config())
                        ? "booted with the previous configuration" : !codeVersion.equals(h.codeVersion())
                        ? "booted with the previous class path" : "holds the sockets of another set of slots");
            } else if (kept.size() >= config.standby()) {
                workers.drain(h, rollDrain(now), now, "more standbys than --standby " + config.standby());
            } else {
                kept.add(h);
            }
        }
        if (kept.size() >= config.standby() || pool.count(h -> h.isCapacity() && h.state().isBooting()) > 0
                || rolling() || now - lastActivationAt < STANDBY_REFILL_DELAY_NANOS) {
            return;
        }
        for (int n = kept.size(); n < config.standby() && backoff.allowsSpawn(now); n++) {
            if (spawnStandby(now) == null) {
                return;
            }
        }
    }

    /**
     * A roll is under way: stale workers left or a replacement booting. Standbys refill after it: on 2 cores, a
     * standby booting next to the roll's replacement slowed each boot as much as it saved (measured: 4 workers,
     * 1 standby, 0.9-2.1 s per roll against 1.0 s without standbys), and the roll uses the standbys standing by
     * when it starts.
     */
    private boolean rolling() {
        return pool.replacementInFlight() != null || !pool.staleReady(generation).isEmpty();
    }

    /** The oldest standby that stands by and fits, or null. */
    private WorkerHandle fittingStandby() {
        for (WorkerHandle h : pool.where(h -> h.isStandby() && h.state() == WorkerState.STANDBY)) {
            if (fits(h) && h.link() != null) {
                return h;
            }
        }
        return null;
    }

    /**
     * Booted with the configuration and code in force (a HUP after a deploy that replaced a jar needs new JVMs)
     * and, with reuse-port, holding exactly the open slots' sockets: one
     * slot fewer and it could not take the highest; one more and it would keep a closed slot's socket open, where
     * the kernel still queues connections that nobody accepts.
     */
    private boolean fits(WorkerHandle standby) {
        return config.equals(standby.config()) && codeVersion.equals(standby.codeVersion())
                && standby.socketGroups() == socketGroups();
    }

    /** The socket groups a standby needs: one per open slot with reuse-port, else the one shared group. */
    private int socketGroups() {
        return config.reusePort() ? Math.max(desired, pool.highestHeldSlot() + 1) : 1;
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

    private WorkerHandle spawnStandby(long now) {
        int groups = socketGroups();
        try {
            slots.ensureSlots(groups);
            WorkerHandle h = workers.spawnStandby(groups, generation, config, now);
            // The code as of the start or the last HUP, not as of now: only a HUP compares it (a deploy between
            // two HUPs must not make every new standby unfit at once).
            h.codeVersion(codeVersion);
            return h;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot start a standby worker: {}", e.toString());
            backoff.crashed(now, "worker start failed");
            return null;
        }
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
