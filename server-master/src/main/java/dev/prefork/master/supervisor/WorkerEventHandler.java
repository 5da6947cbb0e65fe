package dev.prefork.master.supervisor;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.MetricNames;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.control.WorkerLink;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the workers report, on the supervision thread: connection, Ready, heartbeats, boot failure, recycle
 * requests, disconnection and exit. Unknown ids (workers already gone) are ignored.
 */
final class WorkerEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEventHandler.class);

    private final WorkerPool pool;
    private final WorkerController workers;
    private final PoolPlanner planner;
    private final CrashBackoff backoff;
    private final MasterMetrics metrics;
    private final BootFailure bootFailure;
    private final BooleanSupplier running;
    private boolean everReady;

    WorkerEventHandler(WorkerPool pool, WorkerController workers, PoolPlanner planner, CrashBackoff backoff,
                              MasterMetrics metrics, BootFailure bootFailure, BooleanSupplier running) {
        this.pool = pool;
        this.workers = workers;
        this.planner = planner;
        this.backoff = backoff;
        this.metrics = metrics;
        this.bootFailure = bootFailure;
        this.running = running;
    }

    void connected(int workerId, WorkerLink link) {
        WorkerHandle h = pool.get(workerId);
        if (h == null) {
            link.close();
            return;
        }
        h.connected(link);
        metrics.workerConnected(h);
        if (h.state() == WorkerState.SPAWNED) {
            h.moveTo(WorkerState.CONNECTED);
            LOG.debug("{} connected", h);
        } else {
            // Told to go while it was still connecting (stop or shrink): make sure it goes.
            h.send(new ControlMessage.Stop());
        }
    }

    void message(int workerId, ControlMessage.Report message, long now) {
        WorkerHandle h = pool.get(workerId);
        if (h == null) {
            return;
        }
        if (message instanceof ControlMessage.Heartbeat beat) {
            h.heartbeat(beat, now);
        } else if (message instanceof ControlMessage.Ready && h.state() == WorkerState.CONNECTED && h.isStandby()) {
            // A worker that does not know standbys (it would accept at once): stop it, paced like a crash.
            LOG.error("{} was started as a standby but reported Ready, not StandingBy: its worker does not support "
                    + "--standby; stopping it (set --standby 0 for such workers)", h);
            backoff.crashed(now, h + " does not support --standby");
            workers.stop(h, now + StopSequence.STOP_GRACE_NANOS, "not a standby");
        } else if (message instanceof ControlMessage.Ready && h.state() == WorkerState.CONNECTED) {
            h.ready(now);
            everReady = true;
            metrics.booted(Duration.ofNanos(now - h.spawnedAt()));
            LOG.info("{} ready in {}", h, Durations.nanosText(now - h.spawnedAt()));
            planner.ready(h, now);
        } else if (message instanceof ControlMessage.StandingBy && h.state() == WorkerState.CONNECTED
                && h.isStandby()) {
            h.standingBy(now);
            everReady = true;
            metrics.booted(Duration.ofNanos(now - h.spawnedAt()));
            LOG.info("{} standing by in {}", h, Durations.nanosText(now - h.spawnedAt()));
        } else if (message instanceof ControlMessage.CertificateServed served) {
            h.certificateServed(served);
            metrics.certificateServed();
            LOG.info("{} serves a TLS certificate that expires at {}", h,
                    java.time.Instant.ofEpochSecond(served.notAfterEpochSeconds()));
        } else if (message instanceof ControlMessage.BootFailed failed) {
            bootFailure.bootFailed(h, "the application failed to start: " + failed.reason());
        } else if (message instanceof ControlMessage.RecycleRequest recycle && h.state() == WorkerState.READY
                && !h.recycleRequested()) {
            h.requestRecycle(MetricNames.REASON_MAX_REQUESTS);
            LOG.info("{} served {} requests (max-requests {}); recycling it in turn",
                    h, recycle.requestsServed(), h.maxRequests());
        } else {
            LOG.debug("{}: ignoring {} in state {}", h, message, h.state());
        }
    }

    void disconnected(int workerId, long now) {
        WorkerHandle h = pool.get(workerId);
        if (h == null) {
            return;
        }
        h.disconnected();
        if (running.getAsBoolean() && h.state().isBooted()) {
            // The kernel closes a dying worker's socket before it reports the exit: refill the slot now (a standby
            // takes it at once), count the crash when the exit comes, and kill the process if it lingers.
            h.lost();
            h.scheduleKill(now + StopSequence.STOP_GRACE_NANOS);
            LOG.info("{} closed its control connection while {}: counting it gone", h, h.stateForExitReport());
        } else if (!h.state().isLeaving()) {
            // Usually its exit follows at once; if it lingers, the boot timeout catches it.
            LOG.info("{} closed its control connection while {}", h, h.state());
        }
    }

    void exited(int workerId, int code, long now) {
        WorkerHandle h = pool.get(workerId);
        if (h == null) {
            return;
        }
        WorkerState was = h.stateForExitReport();
        h.moveTo(WorkerState.EXITED);
        workers.exited(h);
        metrics.workerGone(h);
        boolean expected = was == WorkerState.DRAINING || !running.getAsBoolean();
        MasterHooks.WorkerExit exit = new MasterHooks.WorkerExit(HookCaller.info(h), code, expected);
        workers.hooks().call("worker_exit", x -> x.workerExit(exit));
        if (expected) {
            LOG.info("{} exited with code {}", h, code);
            return;
        }
        planner.left(h);
        // Before any worker was ever ready, an exit (not a signal) means the workers cannot boot at all.
        boolean cannotBoot = was.isBooting() && (code == ExitCodes.WORKER_BOOT_ERROR || (!everReady && code < 128));
        if (cannotBoot) {
            bootFailure.bootFailed(h, "exited with code " + code + " before it was ready; see its log lines above");
            return;
        }
        metrics.restarted(MetricNames.REASON_CRASHED);
        if (backoff.countsTowardsBackoff(h.readyAt(), now, code)) {
            // A crash loop: the backoff logs the reason once per step, not once per death.
            LOG.debug("{} exited unexpectedly with code {} while {}", h, code, was);
            backoff.crashed(now, h + " exited unexpectedly with code " + code + " while " + was);
        } else {
            LOG.warn("{} exited unexpectedly with code {} after {} ready; replacing it", h, code,
                    Durations.nanosText(now - h.readyAt()));
        }
    }
}
