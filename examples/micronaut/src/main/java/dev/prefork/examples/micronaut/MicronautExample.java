package dev.prefork.examples.micronaut;

import io.micronaut.runtime.Micronaut;

/**
 * A plain Micronaut 4 service that Prefork can run unmodified as an exec worker. Its one Prefork-related setting is
 * configuration, not code: a listener on the inherited socket instead of a port of its own, e.g. with
 * {@code prefork --worker-fd 3}:
 * <pre>
 * MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_FD=3
 * MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_BIND=false
 * MICRONAUT_NETTY_EVENT_LOOPS_DEFAULT_PREFER_NATIVE_TRANSPORT=true
 * </pre>
 * (or the same keys as {@code -Dmicronaut.server.netty.listeners.default.fd=3} etc.). See this module's README.
 */
public final class MicronautExample {
    private MicronautExample() {
    }

    public static void main(String[] args) {
        Micronaut.run(MicronautExample.class, args);
    }
}
