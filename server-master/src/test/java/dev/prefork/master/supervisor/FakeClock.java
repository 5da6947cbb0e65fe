package dev.prefork.master.supervisor;

import java.time.Duration;
import dev.prefork.master.os.NanoClock;

/** A nanosecond clock that moves only when told. Starts far from 0 to catch code that assumes otherwise. */
final class FakeClock implements NanoClock {
    private long now = 1_000_000_000_000L;

    @Override
    public long nanos() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }
}
