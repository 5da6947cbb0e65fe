package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a HUP may change: everything the workers get (pool size, timeouts, JVM options, limits...). Sockets,
 * admin address, control and pid files belong to the running master: a change there is logged and kept for the
 * next restart.
 */
final class ConfigReload {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    private ConfigReload() {
    }

    static ServerConfig merge(ServerConfig running, ServerConfig next) {
        keep("--bind", running.binds(), next.binds());
        keep("--admin", running.admin(), next.admin());
        keep("--reuse-port", running.reusePort(), next.reusePort());
        keep("--backlog", running.backlog(), next.backlog());
        keep("--control-dir", running.controlDir(), next.controlDir());
        keep("--pidfile", running.pidfile(), next.pidfile());
        if (!running.logLevel().equals(next.logLevel())) {
            LOG.warn("HUP: --log-level {} applies to new workers; the master keeps {} until it restarts",
                    next.logLevel(), running.logLevel());
        }
        return next.toBuilder()
                .binds(running.binds())
                .admin(running.admin())
                .reusePort(running.reusePort())
                .backlog(running.backlog())
                .controlDir(running.controlDir())
                .pidfile(running.pidfile())
                .build();
    }

    private static void keep(String option, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            LOG.warn("HUP: {} changed from {} to {}; keeping {} until the master restarts", option, running, next, running);
        }
    }
}
