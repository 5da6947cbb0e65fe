package dev.prefork.worker.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all HTTP/2 connections of this worker hold (request bodies being collected, bodies with the
 * application, responses waiting for the client's flow-control window), against one worker-wide bound, so that
 * many connections each within {@link Http2ConnectionBudget#CONNECTION_LIMIT} cannot add up to the heap. Over
 * it, every connection refuses new streams and stops granting request-body window as if it were over its own
 * budget. Shared by the worker's event loops.
 */
final class Http2WorkerBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    /** @param limit bytes; over it, connections hold back (see the class comment) */
    Http2WorkerBudget(long limit) {
        this.limit = limit;
    }

    /**
     * A quarter of the maximum heap (64 MiB at the default {@code -Xmx256m}), at least twice one connection's
     * budget: the rest of the heap stays for the application and for HTTP/1, whose connections bound themselves.
     */
    static Http2WorkerBudget forThisJvm() {
        return new Http2WorkerBudget(Math.max(2 * Http2ConnectionBudget.CONNECTION_LIMIT,
                Runtime.getRuntime().maxMemory() / 4));
    }

    void add(long delta) {
        held.addAndGet(delta);
    }

    boolean isOver() {
        return held.get() > limit;
    }

    long held() {
        return held.get();
    }
}
