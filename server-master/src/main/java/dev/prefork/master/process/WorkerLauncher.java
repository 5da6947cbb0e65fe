package dev.prefork.master.process;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.io.IOException;

/** Starts a worker process; the real one is {@link JvmWorkerLauncher}. */
public interface WorkerLauncher {

    /**
     * @param settings the worker's command-line settings
     * @param config   the configuration in force now (JVM options, log level, system properties)
     * @throws IOException when the process cannot be started
     */
    WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException;

    /**
     * What the code a worker started now would load, e.g. its class-path jars' paths, sizes and modification
     * times: a standby booted with other code than this must not take a slot after a HUP (a deploy replaced the
     * jar). "" when unknown: the code then counts as unchanged.
     */
    default String codeVersion() {
        return "";
    }
}
