package dev.prefork.master.supervisor;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.os.NanoClock;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.net.ListenerSlots;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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
    static final long HEALTHY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final BlockingQueue<MasterEvent> events;
    private final WorkerPool pool;
    private final WorkerController workers;
    private final PoolPlanner planner;
    private final Watchdog watchdog;
    private final MemoryWatch memoryWatch;
    private final WorkerEventHandler workerEvents;
    private final CrashBackoff backoff;
    private final MasterMetrics metrics;
    private final Supplier<ServerConfig> reloader;
    private final Runnable zombieScan;
    private final StopSequence stop;
    private final NanoClock clock;
    private final long masterPid;
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
     * @param masterPid      this master's pid as {@code Posix} gave it, for the hooks
     */
    Arbiter(ServerConfig config, Supplier<ServerConfig> reloader, BlockingQueue<MasterEvent> events,
                   WorkerPool pool, WorkerController workers, CrashBackoff backoff, MasterMetrics metrics,
                   ListenerSlots slots, Runnable closeListeners, Runnable zombieScan, NanoClock clock,
                   long masterPid) {
        this.events = events;
        this.pool = pool;
        this.workers = workers;
        this.backoff = backoff;
        this.metrics = metrics;
        this.reloader = reloader;
        this.zombieScan = zombieScan;
        this.clock = clock;
        this.masterPid = masterPid;
        this.planner = new PoolPlanner(pool, workers, backoff, metrics, slots, config);
        this.memoryWatch = new MemoryWatch(pool);
        this.watchdog = new Watchdog(pool, workers, metrics, this::bootFailed);
        this.stop = new StopSequence(pool, workers, closeListeners);
        this.workerEvents = new WorkerEventHandler(pool, workers, planner, backoff, metrics, this::bootFailed,
                stop::running);
    }

    /** Runs until every worker is gone after a stop; returns the master's exit code. */
    int run() {
        looping = true;
        try {
            start();
            long nextTick = clock.nanos() + TICK_NANOS;
            while (!finished) {
                MasterEvent event = events.poll(Math.max(0, nextTick - clock.nanos()), TimeUnit.NANOSECONDS);
                lastLoopAt = clock.nanos();
                if (event != null) {
                    handle(event);
                }
                if (clock.nanos() - nextTick >= 0) {
                    tick();
                    nextTick = clock.nanos() + TICK_NANOS;
                }
            }
            return stop.exitCode();
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
        lastLoopAt = clock.nanos();
        LOG.info("starting {} workers", planner.desired());
        settle(clock.nanos());
    }

    void handle(MasterEvent event) {
        long now = clock.nanos();
        try {
            // A step that fell due since the last tick comes before the event: a worker that stops accepting at
            // the end of the drain delay can exit before the next tick, and step 2/4 must precede its exit.
            stop.tick(now);
            dispatch(event, now);
        } catch (RuntimeException e) {
            failed(event, e, now);
        }
        settle(now);
    }

    void tick() {
        long now = clock.nanos();
        lastLoopAt = now;
        try {
            zombieScan.run();
            watchdog.check(now, planner.config(), stop.running());
            if (stop.running()) {
                memoryWatch.check(planner.config());
            }
            stop.tick(now);
            for (WorkerHandle h : pool.where(w -> w.state() == WorkerState.READY)) {
                backoff.stillReady(h.readyAt(), now);
            }
            if (stop.givenUp(now)) {
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
            stop.workerExited(x.workerId(), x.exitCode(), now);
        } else if (event instanceof MasterEvent.WorkerConnected c) {
            workerEvents.connected(c.workerId(), c.link());
        } else if (event instanceof MasterEvent.WorkerMessage m) {
            workerEvents.message(m.workerId(), m.message(), now);
        } else if (event instanceof MasterEvent.WorkerDisconnected d) {
            workerEvents.disconnected(d.workerId(), now);
        }
    }

    private void onSignal(MasterSignal signal, long now) {
        switch (signal) {
            case TERM -> {
                if (stop.running()) {
                    ready = false;
                    stop.graceful(planner.config(), now);
                } else {
                    LOG.info("TERM: already stopping");
                }
            }
            case INT -> {
                if (stop.phase() != StopSequence.Phase.STOPPING) {
                    LOG.info("INT: fast stop; telling {} workers to exit now", pool.size());
                    beginFastStop(now, stop.exitCode());
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
        if (stop.running()) {
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
        if (stop.phase() == StopSequence.Phase.STOPPING) {
            return;
        }
        LOG.error("{} failed to boot: {}; stopping the master (exit {})", h, why, ExitCodes.BOOT_FAILURE);
        metrics.restarted(MetricNames.REASON_BOOT_FAILED);
        beginFastStop(clock.nanos(), ExitCodes.BOOT_FAILURE);
    }

    private void beginFastStop(long now, int code) {
        ready = false;
        stop.fast(code, now);
    }

    private void failed(Object during, RuntimeException e, long now) {
        LOG.error("supervision failed while handling {}; stopping the master (exit {})", during, ExitCodes.RUNTIME_FAILURE, e);
        if (stop.phase() == StopSequence.Phase.STOPPING) {
            finished = true;
            stop.failedWhileStopping(ExitCodes.RUNTIME_FAILURE);
            return;
        }
        beginFastStop(now, ExitCodes.RUNTIME_FAILURE);
    }

    /** After every event and tick: reconcile the pool, publish the state, notice the end. */
    private void settle(long now) {
        if (stop.running()) {
            try {
                planner.reconcile(now);
            } catch (RuntimeException e) {
                failed("reconcile", e, now);
            }
        }
        metrics.countStates(pool.all());
        ready = stop.running() && pool.anyReady();
        if (stop.running() && !announcedReady
                && pool.count(w -> w.state() == WorkerState.READY) >= planner.desired()) {
            announcedReady = true;
            MasterHooks.MasterInfo info = new MasterHooks.MasterInfo(masterPid, planner.config());
            workers.hooks().call("when_ready", x -> x.whenReady(info));
        }
        if (!finished && stop.done(now)) {
            finished = true;
        }
    }

    /** {@code /readyz}: at least one worker ready and the master not stopping. */
    boolean isReady() {
        return ready;
    }

    /** {@code /healthz}: the supervision loop is running and has turned recently. */
    boolean isHealthy() {
        return looping && clock.nanos() - lastLoopAt < HEALTHY_NANOS;
    }

    boolean isFinished() {
        return finished;
    }

    int exitCode() {
        return stop.exitCode();
    }

    int desiredWorkers() {
        return planner.desired();
    }

    ServerConfig config() {
        return planner.config();
    }
}
