package dev.prefork.worker.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful drain, step by step on one thread (the control event loop): keep accepting for the drain delay,
 * close the listeners, let connections finish (idle ones close at once, busy ones after their response), and
 * when none is left, or the graceful timeout (counted from the drain's start) passed, close the application
 * and exit 0.
 */
final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    static final long POLL_MILLIS = 20;

    private final WorkerIdentity id;
    private final ScheduledExecutorService loop;
    private final ServingControl serving;
    private final long gracefulTimeoutMillis;
    private final LongSupplier nanoClock;
    private final ProcessExit exit;
    private long startNanos = -1;
    private ScheduledFuture<?> poll;
    private boolean finished;

    Drainer(WorkerIdentity id, ScheduledExecutorService loop, ServingControl serving, long gracefulTimeoutMillis,
            LongSupplier nanoClock, ProcessExit exit) {
        this.id = id;
        this.loop = loop;
        this.serving = serving;
        this.gracefulTimeoutMillis = gracefulTimeoutMillis;
        this.nanoClock = nanoClock;
        this.exit = exit;
    }

    boolean started() {
        return startNanos >= 0;
    }

    /** Starts the drain; later calls are ignored. Call on {@code loop}. */
    void drain(long delayMillis, String reason) {
        if (started()) {
            log.info("{} is already draining; ignoring {}", id, reason);
            return;
        }
        startNanos = nanoClock.getAsLong();
        long delay = Math.max(0, Math.min(delayMillis, gracefulTimeoutMillis));
        log.info("{} draining on {}: accepting for {} ms more, then finishing {} connection(s) within {} ms",
                id, reason, delay, serving.openConnections(), gracefulTimeoutMillis);
        if (delay == 0) {
            stopAccepting();
        } else {
            loop.schedule(this::stopAccepting, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void stopAccepting() {
        serving.stopAccepting();
        serving.closeConnectionsWhenIdle();
        log.info("{} stopped accepting after {} ms; {} connection(s) open", id, elapsedMillis(),
                serving.openConnections());
        poll = loop.scheduleWithFixedDelay(this::check, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (finished) {
            return;
        }
        int open = serving.openConnections();
        if (open == 0) {
            finish("every connection closed");
        } else if (elapsedMillis() >= gracefulTimeoutMillis) {
            log.warn("{} graceful timeout of {} ms passed with {} connection(s) open; closing them", id,
                    gracefulTimeoutMillis, open);
            serving.closeAllConnections();
            finish("graceful timeout");
        }
    }

    private void finish(String why) {
        finished = true;
        if (poll != null) {
            poll.cancel(false);
        }
        long closeStart = nanoClock.getAsLong();
        serving.closeApplication();
        log.info("{} drained in {} ms ({}; application closed in {} ms); exiting 0", id, elapsedMillis(), why,
                TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - closeStart));
        exit.exit(0);
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startNanos);
    }
}
