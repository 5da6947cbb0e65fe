package dev.prefork.examples.exectest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** Exec-to-first-200 on the inherited socket: one GET that waits in the socket's backlog until the service accepts. */
public final class BootTimer {
    private BootTimer() {
    }

    /** GETs {@code path} (waiting up to {@code atMost} for the service to boot) and returns the time since exec. */
    public static Duration firstOk(InheritedSocketProcess service, String path, Duration atMost) throws IOException {
        RawHttp.Response response = RawHttp.get(service.port(), path, (int) atMost.toMillis());
        if (response.status() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.status() + ": " + response.body());
        }
        return Duration.between(service.execAt(), Instant.now());
    }
}
