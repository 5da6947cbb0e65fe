package dev.prefork.worker.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Measures how long the slowest serving event loop has gone without running its periodic tick. A handler that
 * blocks its loop stops the ticks, so the lag grows; the master replaces a worker whose lag exceeds its timeout.
 * An idle loop's lag stays below one tick period.
 */
final class LoopLagMonitor {
    private final LongSupplier nanoClock;
    private final AtomicLongArray lastTickNanos;

    LoopLagMonitor(int loops, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastTickNanos = new AtomicLongArray(loops);
        long now = nanoClock.getAsLong();
        for (int i = 0; i < loops; i++) {
            lastTickNanos.set(i, now);
        }
    }

    /** Schedules a tick every {@code tickMillis} on each loop of {@code group}. */
    static LoopLagMonitor watch(EventLoopGroup group, long tickMillis) {
        int loops = 0;
        for (EventExecutor ignored : group) {
            loops++;
        }
        LoopLagMonitor monitor = new LoopLagMonitor(loops, System::nanoTime);
        int slot = 0;
        for (EventExecutor loop : group) {
            int s = slot++;
            loop.scheduleAtFixedRate(() -> monitor.tick(s), tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        }
        return monitor;
    }

    /** Called on loop {@code slot} by its tick task. */
    void tick(int slot) {
        lastTickNanos.set(slot, nanoClock.getAsLong());
    }

    long maxLagMillis() {
        long now = nanoClock.getAsLong();
        long max = 0;
        for (int i = 0; i < lastTickNanos.length(); i++) {
            max = Math.max(max, now - lastTickNanos.get(i));
        }
        return TimeUnit.NANOSECONDS.toMillis(max);
    }
}
