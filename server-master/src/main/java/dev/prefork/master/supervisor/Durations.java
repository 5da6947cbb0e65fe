package dev.prefork.master.supervisor;

import java.time.Duration;

/** Durations for log lines: "30 s", "1.5 s", "250 ms". */
final class Durations {
    private Durations() {
    }

    static String text(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    static String nanosText(long nanos) {
        return text(Duration.ofNanos(nanos));
    }
}
