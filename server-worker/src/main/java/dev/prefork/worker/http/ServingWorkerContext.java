package dev.prefork.worker.http;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.worker.AppCounter;
import dev.prefork.worker.AppGauge;
import dev.prefork.worker.BlockingHttpHandler;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.WorkerContext;
import io.netty.channel.EventLoopGroup;

final class ServingWorkerContext implements WorkerContext {
    private final int workerId;
    private final long pid;
    private final EventLoopGroup eventLoops;
    private final ConnectionTracker tracker;
    /** Null without --threads. */
    private final BlockingPool pool;
    private final AppMetrics appMetrics;

    ServingWorkerContext(int workerId, long pid, EventLoopGroup eventLoops, ConnectionTracker tracker) {
        this(workerId, pid, eventLoops, tracker, null);
    }

    ServingWorkerContext(int workerId, long pid, EventLoopGroup eventLoops, ConnectionTracker tracker,
                         BlockingPool pool) {
        this(workerId, pid, eventLoops, tracker, pool, SegmentBuffer.inMemory());
    }

    /** @param segment where the application's counters and gauges go: the worker's segment */
    ServingWorkerContext(int workerId, long pid, EventLoopGroup eventLoops, ConnectionTracker tracker,
                         BlockingPool pool, SegmentBuffer segment) {
        this.pool = pool;
        this.appMetrics = new AppMetrics(segment);
        this.workerId = workerId;
        this.pid = pid;
        this.eventLoops = eventLoops;
        this.tracker = tracker;
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public EventLoopGroup eventLoops() {
        return eventLoops;
    }

    @Override
    public boolean isDraining() {
        return tracker.isDraining();
    }

    @Override
    public AppCounter counter(String name) {
        return appMetrics.counter(name);
    }

    @Override
    public AppGauge gauge(String name) {
        return appMetrics.gauge(name);
    }

    @Override
    public boolean hasHandlerThreads() {
        return pool != null;
    }

    @Override
    public HttpHandler blocking(BlockingHttpHandler handler) {
        if (pool == null) {
            throw new IllegalStateException("a blocking handler needs handler threads, and " + this
                    + " has none; start Prefork with --threads N (or --threads virtual on Java 21+)");
        }
        return pool.handler(java.util.Objects.requireNonNull(handler, "handler"));
    }

    @Override
    public String toString() {
        return "worker " + workerId + " (pid " + pid + ")";
    }
}
