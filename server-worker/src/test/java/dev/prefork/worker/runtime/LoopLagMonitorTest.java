package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoopLagMonitorTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void reportsTheSlowestLoopSinceItsLastTick() {
        LoopLagMonitor monitor = new LoopLagMonitor(2, now::get);
        assertThat(monitor.maxLagMillis()).isZero();
        advanceMillis(100);
        monitor.tick(0);
        monitor.tick(1);
        advanceMillis(100);
        monitor.tick(0); // loop 1 is blocked from here
        advanceMillis(2_000);
        monitor.tick(0);
        assertThat(monitor.maxLagMillis()).isEqualTo(2_100);
        monitor.tick(1);
        assertThat(monitor.maxLagMillis()).isZero();
    }

    @Test
    void tickPeriodFollowsTheHeartbeat() {
        assertThat(WorkerBoot.tickMillis(1_000)).isEqualTo(100);
        assertThat(WorkerBoot.tickMillis(100)).isEqualTo(50);
        assertThat(WorkerBoot.tickMillis(5)).isEqualTo(10);
    }
}
