package dev.prefork.worker.http;

import dev.prefork.worker.WorkerContext;
import io.netty.channel.EventLoopGroup;

final class ServingWorkerContext implements WorkerContext {
    private final int workerId;
    private final long pid;
    private final EventLoopGroup eventLoops;
    private final ConnectionTracker tracker;

    ServingWorkerContext(int workerId, long pid, EventLoopGroup eventLoops, ConnectionTracker tracker) {
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
    public String toString() {
        return "worker " + workerId + " (pid " + pid + ")";
    }
}
