package dev.prefork.master.supervisor;

import dev.prefork.core.InheritedSocket;
import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines, checked on every tick: a booting worker must be ready (or standing by) within the boot timeout; a
 * ready or standing-by worker
 * whose heartbeats stop, or whose event loop lags, for longer than {@code --timeout} is hung (thread dump, then
 * SIGKILL, then replaced); a leaving worker still alive at its kill time gets SIGKILL.
 */
final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    /** Time between the hung worker's SIGQUIT (thread dump) and its SIGKILL. */
    static final Duration DUMP_GRACE = Duration.ofMillis(500);

    private final WorkerPool pool;
    private final WorkerController workers;
    private final MasterMetrics metrics;
    private final BootFailure bootFailure;

    Watchdog(WorkerPool pool, WorkerController workers, MasterMetrics metrics, BootFailure bootFailure) {
        this.pool = pool;
        this.workers = workers;
        this.metrics = metrics;
        this.bootFailure = bootFailure;
    }

    /** @param running false while the master stops: then only kill deadlines matter */
    void check(long now, ServerConfig config, boolean running) {
        for (WorkerHandle h : pool.all()) {
            if (h.state().isLeaving()) {
                if (h.killAt() != WorkerHandle.NEVER && now - h.killAt() >= 0 && !h.isKillSent()) {
                    LOG.warn("{} still running at its deadline; SIGKILL", h);
                    workers.kill(h);
                }
            } else if (running && h.state().isBooting()) {
                checkBoot(h, now, config);
            } else if (running && h.state().isBooted()) {
                checkHung(h, now, config);
            }
        }
    }

    private void checkBoot(WorkerHandle h, long now, ServerConfig config) {
        if (now - h.spawnedAt() > config.bootTimeout().toNanos()) {
            // An exec worker that never takes the socket looks like a slow one; say both remedies.
            bootFailure.bootFailed(h, "not ready within the boot timeout of " + Durations.text(config.bootTimeout())
                    + "; raise --boot-timeout if the application needs longer"
                    + (config.isExec() ? "; if it does not serve Prefork's socket: " + InheritedSocket.REMEDY : ""));
        }
    }

    private void checkHung(WorkerHandle h, long now, ServerConfig config) {
        long timeout = config.timeout().toNanos();
        if (timeout == 0) {
            return;
        }
        long silentNanos = now - h.lastHeartbeatAt();
        String why;
        if (silentNanos > timeout) {
            why = "no heartbeat for " + Durations.nanosText(silentNanos);
        } else if (h.maxLoopLagMillis() > config.timeout().toMillis()) {
            why = "an event loop lags " + h.maxLoopLagMillis() + " ms";
        } else {
            return;
        }
        LOG.warn("{} is hung ({}, --timeout {}): thread dump, then SIGKILL and replace",
                h, why, Durations.text(config.timeout()));
        metrics.restarted(MetricNames.REASON_TIMEOUT);
        workers.threadDump(h);
        h.moveTo(WorkerState.DRAINING);
        h.scheduleKill(now + DUMP_GRACE.toNanos());
    }
}
