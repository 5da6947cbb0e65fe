package dev.prefork.worker.runtime;

import dev.prefork.core.ExitCodes;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful drain, step by step on one thread (the control event loop), one log line per step:
 * <ol>
 *   <li>at once, every later response carries {@code Connection: close};</li>
 *   <li>keep accepting for the drain delay (load balancers notice the pod leaving meanwhile);</li>
 *   <li>stop accepting: serve what the accept backlog already holds, then close this process's listeners;</li>
 *   <li>wait for the connections to finish: busy ones close after their response, idle keep-alive ones at
 *       their keep-alive timeout (closing them earlier races a client sending on them);</li>
 *   <li>when none is left, or at the order's deadline (the master's: drain delay + graceful timeout from its
 *       TERM, the same instant it SIGKILLs), close the application and exit 0.</li>
 * </ol>
 */
final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    static final long POLL_MILLIS = 20;

    private final WorkerIdentity id;
    private final ScheduledExecutorService loop;
    private final ServingControl serving;
    private final LongSupplier nanoClock;
    private final ProcessExit exit;
    private long startNanos = -1;
    private DrainOrder order;
    private ScheduledFuture<?> poll;
    private boolean finished;

    Drainer(WorkerIdentity id, ScheduledExecutorService loop, ServingControl serving, LongSupplier nanoClock,
            ProcessExit exit) {
        this.id = id;
        this.loop = loop;
        this.serving = serving;
        this.nanoClock = nanoClock;
        this.exit = exit;
    }

    boolean started() {
        return startNanos >= 0;
    }

    /**
     * Starts the drain. A later order only brings the deadline forward (SIGTERM to the worker, then the master's
     * Drain); otherwise it is ignored. Call on {@code loop}.
     */
    void drain(DrainOrder next) {
        if (started()) {
            if (next.endsBefore(order)) {
                order = new DrainOrder(order.acceptUntilNanos(), next.deadlineNanos(), true, order.reason());
                log.info("{} is already draining; {} sets its deadline: {} ms from now", id, next.reason(),
                        millisUntil(next.deadlineNanos()));
            } else {
                log.info("{} is already draining; ignoring {}", id, next.reason());
            }
            return;
        }
        order = next;
        startNanos = nanoClock.getAsLong();
        long delay = Math.max(0, millisUntil(order.acceptUntilNanos()));
        serving.answerWithConnectionClose();
        log.info("drain step 1/4: {} draining on {}: responses now close their connection; accepting for {} ms more, "
                + "then finishing {} connection(s) {}", id, order.reason(), delay, serving.openConnections(),
                order.bounded() ? "within " + Math.max(0, millisUntil(order.deadlineNanos())) + " ms"
                        : "with no deadline of its own (the master's SIGKILL bounds it)");
        if (delay == 0) {
            stopAccepting();
        } else {
            loop.schedule(this::stopAccepting, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void stopAccepting() {
        serving.stopAccepting().whenComplete((taken, error) -> loop.execute(() -> {
            if (error != null) {
                log.warn("{} stopping its listeners failed: {}", id, error.toString());
            }
            log.info("drain step 2/4: {} stopped accepting after {} ms, serving {} connection(s) from the accept "
                    + "backlog; {} connection(s) open", id, elapsedMillis(), taken == null ? 0 : taken,
                    serving.openConnections());
            poll = loop.scheduleWithFixedDelay(this::check, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }));
    }

    private void check() {
        if (finished) {
            return;
        }
        int open = serving.openConnections();
        if (open == 0) {
            finish("every connection closed");
        } else if (order.bounded() && nanoClock.getAsLong() - order.deadlineNanos() >= 0) {
            log.warn("{} drain deadline reached after {} ms with {} connection(s) open; closing them", id,
                    elapsedMillis(), open);
            serving.closeAllConnections();
            finish("drain deadline");
        }
    }

    private void finish(String why) {
        finished = true;
        if (poll != null) {
            poll.cancel(false);
        }
        log.info("drain step 3/4: {} connections done after {} ms ({})", id, elapsedMillis(), why);
        long closeStart = nanoClock.getAsLong();
        serving.closeApplication();
        log.info("drain step 4/4: {} drained in {} ms (application closed in {} ms); exiting 0", id, elapsedMillis(),
                TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - closeStart));
        exit.exit(ExitCodes.WORKER_OK);
    }

    private long millisUntil(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - nanoClock.getAsLong());
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startNanos);
    }
}
