package dev.prefork.master.supervisor;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ServerConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the master stops, with its one deadline: a graceful stop on TERM (drain steps 1/4..4/4, each logged with
 * its time since the signal) or a fast stop on INT, a boot failure or a supervision failure. The {@link Arbiter}
 * tells it what happened; it tells the workers what to do and when the master is done.
 */
final class StopSequence {
    private static final Logger LOG = LoggerFactory.getLogger(StopSequence.class);
    /** INT: how long workers get after Stop before SIGKILL. */
    static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long after the last SIGKILL deadline the master stops waiting for exit events. */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

    enum Phase {
        RUNNING,
        /** TERM: workers drain; the master's listening sockets close when the drain delay ends. */
        DRAINING,
        /** Fast stop: workers were told to exit now. */
        STOPPING
    }

    private final WorkerPool pool;
    private final WorkerController workers;
    private final Runnable closeListeners;
    private Phase phase = Phase.RUNNING;
    private int exitCode = ExitCodes.OK;
    private long startedAt;
    private long killAt;
    private DrainBudget budget;
    private boolean acceptingOver;

    /** @param closeListeners closes the master's copies of the listening sockets (see {@link Arbiter}) */
    StopSequence(WorkerPool pool, WorkerController workers, Runnable closeListeners) {
        this.pool = pool;
        this.workers = workers;
        this.closeListeners = closeListeners;
    }

    Phase phase() {
        return phase;
    }

    boolean running() {
        return phase == Phase.RUNNING;
    }

    int exitCode() {
        return exitCode;
    }

    /** TERM: step 1/4, and step 2/4 at once without a drain delay. */
    void graceful(ServerConfig config, long now) {
        phase = Phase.DRAINING;
        startedAt = now;
        budget = DrainBudget.of(now, config.drainDelay(), config.gracefulTimeout());
        killAt = budget.killAt();
        LOG.info("drain step 1/4 (+0 ms): TERM: graceful stop; /readyz now 503; {} workers keep accepting for the "
                        + "drain delay of {}, then finish within the graceful timeout of {} (SIGKILL after that)",
                pool.size(), Durations.text(config.drainDelay()), Durations.text(config.gracefulTimeout()));
        for (WorkerHandle h : pool.all()) {
            workers.drain(h, budget, now, "graceful stop");
        }
        tick(now);
    }

    /** Exit now: Stop to every worker, SIGKILL a second later. */
    void fast(int code, long now) {
        phase = Phase.STOPPING;
        exitCode = code;
        killAt = now + STOP_GRACE_NANOS;
        for (WorkerHandle h : pool.all()) {
            workers.stop(h, killAt, "fast stop");
        }
    }

    /** A failure while already stopping: the master gives up waiting and exits with {@code code}. */
    void failedWhileStopping(int code) {
        exitCode = code;
    }

    /** Every tick: the end of the drain delay (step 2/4). */
    void tick(long now) {
        if (phase == Phase.DRAINING && !acceptingOver && now - budget.acceptUntil() >= 0) {
            stopAccepting(now);
        }
    }

    /** Workers lost while stopping are still reported but never replaced. */
    void workerExited(int workerId, int code, long now) {
        if (phase == Phase.DRAINING) {
            LOG.info("drain step 3/4 (+{}): worker {} exited with code {}; {} worker(s) left", since(now), workerId,
                    code, pool.size());
        }
    }

    /** Workers that never report their exit, well after their SIGKILL, are not waited for. */
    boolean givenUp(long now) {
        return phase != Phase.RUNNING && !pool.isEmpty() && now - (killAt + GIVE_UP_NANOS) >= 0;
    }

    /** Stopping and no worker left: step 4/4; the master exits. */
    boolean done(long now) {
        if (phase == Phase.RUNNING || !pool.isEmpty()) {
            return false;
        }
        if (phase == Phase.DRAINING) {
            LOG.info("drain step 4/4 (+{}): all workers gone; master exits with code {}", since(now), exitCode);
        } else {
            LOG.info("all workers gone; master exits with code {}", exitCode);
        }
        return true;
    }

    /** Workers stop accepting now; so does the master's copy of the sockets. */
    private void stopAccepting(long now) {
        acceptingOver = true;
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
                        + "in flight on {} connection(s) (from their segments) with Connection: close; the master closed "
                        + "its listening sockets", since(now), inFlight, connections);
    }

    private String since(long now) {
        return Durations.nanosText(now - startedAt);
    }
}
