package dev.prefork.master.supervisor;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.net.ListenerSlots;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervision loop, on one thread: wait for an event (signal, worker exit, control message) or the next tick,
 * handle it, reconcile the pool. Everything else only enqueues. Tests drive {@link #start()}, {@link #handle} and
 * {@link #tick()} directly with a fake clock.
 */
final class Arbiter {
    private static final Logger LOG = LoggerFactory.getLogger(Arbiter.class);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** INT: how long workers get after Stop before SIGKILL. */
    static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long after the last SIGKILL deadline the master stops waiting for exit events. */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long HEALTHY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private enum Mode { RUNNING, DRAINING, STOPPING }

    private final BlockingQueue<MasterEvent> events;
    private final WorkerPool pool;
    private final WorkerController workers;
    private final PoolPlanner planner;
    private final Watchdog watchdog;
    private final WorkerEventHandler workerEvents;
    private final CrashBackoff backoff;
    private final MasterMetrics metrics;
    private final Supplier<ServerConfig> reloader;
    private final Runnable zombieScan;
    private final Runnable closeListeners;
    private final LongSupplier clock;
    private Mode mode = Mode.RUNNING;
    private int exitCode = ExitCodes.OK;
    private long stopDeadline;
    private long drainStartedAt;
    private long drainDelayEndsAt;
    private boolean drainDelayOver;
    private boolean announcedReady;
    private boolean finished;
    private volatile boolean ready;
    private volatile boolean looping;
    private volatile long lastLoopAt;

    /**
     * @param closeListeners closes the master's copies of the listening sockets; called on a graceful stop when
     *                       the workers stop accepting, so that the last worker to close its copy closes the
     *                       socket and later clients are refused at once instead of waiting in a backlog that
     *                       nobody accepts from (and being reset at the master's exit)
     */
    Arbiter(ServerConfig config, Supplier<ServerConfig> reloader, BlockingQueue<MasterEvent> events,
                   WorkerPool pool, WorkerController workers, CrashBackoff backoff, MasterMetrics metrics,
                   ListenerSlots slots, Runnable closeListeners, Runnable zombieScan, LongSupplier clock) {
        this.closeListeners = closeListeners;
        this.events = events;
        this.pool = pool;
        this.workers = workers;
        this.backoff = backoff;
        this.metrics = metrics;
        this.reloader = reloader;
        this.zombieScan = zombieScan;
        this.clock = clock;
        this.planner = new PoolPlanner(pool, workers, backoff, metrics, slots, config);
        this.watchdog = new Watchdog(pool, workers, metrics, this::bootFailed);
        this.workerEvents = new WorkerEventHandler(pool, workers, planner, backoff, metrics, this::bootFailed,
                () -> mode == Mode.RUNNING);
    }

    /** Runs until every worker is gone after a stop; returns the master's exit code. */
    int run() {
        looping = true;
        try {
            start();
            long nextTick = clock.getAsLong() + TICK_NANOS;
            while (!finished) {
                MasterEvent event = events.poll(Math.max(0, nextTick - clock.getAsLong()), TimeUnit.NANOSECONDS);
                lastLoopAt = clock.getAsLong();
                if (event != null) {
                    handle(event);
                }
                if (clock.getAsLong() - nextTick >= 0) {
                    tick();
                    nextTick = clock.getAsLong() + TICK_NANOS;
                }
            }
            return exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("supervision loop interrupted; killing the workers");
            return ExitCodes.RUNTIME_FAILURE;
        } finally {
            looping = false;
            ready = false;
            for (WorkerHandle h : pool.all()) {
                h.process().destroyForcibly();
            }
        }
    }

    /** Spawns the pool. */
    void start() {
        lastLoopAt = clock.getAsLong();
        LOG.info("starting {} workers", planner.desired());
        settle(clock.getAsLong());
    }

    void handle(MasterEvent event) {
        long now = clock.getAsLong();
        try {
            dispatch(event, now);
        } catch (RuntimeException e) {
            failed(event, e, now);
        }
        settle(now);
    }

    void tick() {
        long now = clock.getAsLong();
        lastLoopAt = now;
        try {
            zombieScan.run();
            watchdog.check(now, planner.config(), mode == Mode.RUNNING);
            if (mode == Mode.DRAINING && !drainDelayOver && now - drainDelayEndsAt >= 0) {
                drainDelayIsOver(now);
            }
            for (WorkerHandle h : pool.where(w -> w.state() == WorkerState.READY)) {
                backoff.stillReady(h.readyAt(), now);
            }
            if (mode != Mode.RUNNING && !pool.isEmpty() && now - (stopDeadline + GIVE_UP_NANOS) >= 0) {
                LOG.error("{} still not reported gone after SIGKILL; giving up on them", pool.all());
                finished = true;
            }
        } catch (RuntimeException e) {
            failed("tick", e, now);
        }
        settle(now);
    }

    private void dispatch(MasterEvent event, long now) {
        if (event instanceof MasterEvent.SignalReceived s) {
            onSignal(s.signal(), now);
        } else if (event instanceof MasterEvent.WorkerExited x) {
            workerEvents.exited(x.workerId(), x.exitCode(), now);
            if (mode == Mode.DRAINING) {
                LOG.info("drain step 3/4 (+{}): worker {} exited with code {}; {} worker(s) left",
                        Durations.nanosText(now - drainStartedAt), x.workerId(), x.exitCode(), pool.size());
            }
        } else if (event instanceof MasterEvent.WorkerConnected c) {
            workerEvents.connected(c.workerId(), c.link());
        } else if (event instanceof MasterEvent.WorkerMessage m) {
            workerEvents.message(m.workerId(), m.message(), now);
        } else if (event instanceof MasterEvent.WorkerDisconnected d) {
            workerEvents.disconnected(d.workerId());
        }
    }

    private void onSignal(MasterSignal signal, long now) {
        switch (signal) {
            case TERM -> {
                if (mode == Mode.RUNNING) {
                    beginGracefulStop(now);
                } else {
                    LOG.info("TERM: already stopping");
                }
            }
            case INT -> {
                if (mode != Mode.STOPPING) {
                    LOG.info("INT: fast stop; telling {} workers to exit now", pool.size());
                    beginFastStop(now, exitCode);
                }
            }
            case HUP -> ifRunning(signal, () -> reload());
            case TTIN -> ifRunning(signal, planner::more);
            case TTOU -> ifRunning(signal, planner::fewer);
            case CHLD -> zombieScan.run();
            default -> throw new IllegalStateException("unhandled signal " + signal);
        }
    }

    private void ifRunning(MasterSignal signal, Runnable action) {
        if (mode == Mode.RUNNING) {
            action.run();
        } else {
            LOG.info("{} ignored: the master is stopping", signal);
        }
    }

    private void reload() {
        ServerConfig next;
        try {
            next = ConfigReload.merge(planner.config(), reloader.get());
        } catch (ConfigException e) {
            // As nginx does: a bad new configuration leaves the running workers alone.
            LOG.error("HUP: the new configuration is invalid; keeping the running workers and configuration: {}",
                    e.getMessage());
            return;
        }
        planner.reload(next);
    }

    private void bootFailed(WorkerHandle h, String why) {
        if (mode == Mode.STOPPING) {
            return;
        }
        LOG.error("{} failed to boot: {}; stopping the master (exit {})", h, why, ExitCodes.BOOT_FAILURE);
        metrics.restarted(MetricNames.REASON_BOOT_FAILED);
        beginFastStop(clock.getAsLong(), ExitCodes.BOOT_FAILURE);
    }

    private void beginGracefulStop(long now) {
        ServerConfig config = planner.config();
        mode = Mode.DRAINING;
        ready = false;
        drainStartedAt = now;
        drainDelayEndsAt = now + config.drainDelay().toNanos();
        stopDeadline = drainDelayEndsAt + config.gracefulTimeout().toNanos();
        LOG.info("drain step 1/4 (+0 ms): TERM: graceful stop; /readyz now 503; {} workers keep accepting for the "
                        + "drain delay of {}, then finish within the graceful timeout of {} (SIGKILL after that)",
                pool.size(), Durations.text(config.drainDelay()), Durations.text(config.gracefulTimeout()));
        for (WorkerHandle h : pool.all()) {
            workers.drain(h, config.drainDelay().toMillis(), stopDeadline, "graceful stop");
        }
        if (config.drainDelay().isZero()) {
            drainDelayIsOver(now);
        }
    }

    /** Workers stop accepting now; so does the master's copy of the sockets. */
    private void drainDelayIsOver(long now) {
        drainDelayOver = true;
        int inFlight = 0;
        int connections = 0;
        for (WorkerHandle h : pool.all()) {
            inFlight += h.requestsInFlight();
            connections += h.connectionsOpen();
        }
        try {
            closeListeners.run();
        } catch (RuntimeException e) {
            LOG.warn("closing the master's listening sockets failed: {}", e.toString());
        }
        LOG.info("drain step 2/4 (+{}): workers stop accepting, serve their accept backlog and finish {} request(s) "
                        + "in flight on {} connection(s) (last heartbeats) with Connection: close; the master closed "
                        + "its listening sockets", Durations.nanosText(now - drainStartedAt), inFlight, connections);
    }

    private void beginFastStop(long now, int code) {
        mode = Mode.STOPPING;
        ready = false;
        exitCode = code;
        stopDeadline = now + STOP_GRACE_NANOS;
        for (WorkerHandle h : pool.all()) {
            workers.stop(h, stopDeadline, "fast stop");
        }
    }

    private void failed(Object during, RuntimeException e, long now) {
        LOG.error("supervision failed while handling {}; stopping the master (exit {})", during, ExitCodes.RUNTIME_FAILURE, e);
        if (mode == Mode.STOPPING) {
            finished = true;
            exitCode = ExitCodes.RUNTIME_FAILURE;
            return;
        }
        beginFastStop(now, ExitCodes.RUNTIME_FAILURE);
    }

    /** After every event and tick: reconcile the pool, publish the state, notice the end. */
    private void settle(long now) {
        if (mode == Mode.RUNNING) {
            try {
                planner.reconcile(now);
            } catch (RuntimeException e) {
                failed("reconcile", e, now);
            }
        }
        metrics.countStates(pool.all());
        ready = mode == Mode.RUNNING && pool.anyReady();
        if (mode == Mode.RUNNING && !announcedReady
                && pool.count(w -> w.state() == WorkerState.READY) >= planner.desired()) {
            announcedReady = true;
            MasterHooks.MasterInfo info = new MasterHooks.MasterInfo(ProcessHandle.current().pid(), planner.config());
            workers.hooks().call("when_ready", x -> x.whenReady(info));
        }
        if (mode != Mode.RUNNING && pool.isEmpty() && !finished) {
            if (mode == Mode.DRAINING) {
                LOG.info("drain step 4/4 (+{}): all workers gone; master exits with code {}",
                        Durations.nanosText(now - drainStartedAt), exitCode);
            } else {
                LOG.info("all workers gone; master exits with code {}", exitCode);
            }
            finished = true;
        }
    }

    /** {@code /readyz}: at least one worker ready and the master not stopping. */
    boolean isReady() {
        return ready;
    }

    /** {@code /healthz}: the supervision loop is running and has turned recently. */
    boolean isHealthy() {
        return looping && clock.getAsLong() - lastLoopAt < HEALTHY_NANOS;
    }

    boolean isFinished() {
        return finished;
    }

    int exitCode() {
        return exitCode;
    }

    int desiredWorkers() {
        return planner.desired();
    }

    ServerConfig config() {
        return planner.config();
    }
}
