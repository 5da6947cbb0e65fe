package dev.prefork.master.process;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Chooses, per launch and by the configuration in force, {@link JvmWorkerLauncher} (APP_CLASS) or
 * {@link ExecWorkerLauncher} (a worker command); each is made at its first use.
 */
public final class LauncherByMode implements WorkerLauncher {
    private final Supplier<WorkerLauncher> nativeWorkers;
    private final Supplier<WorkerLauncher> execWorkers;
    private WorkerLauncher nativeLauncher;
    private WorkerLauncher execLauncher;

    public LauncherByMode() {
        this(JvmWorkerLauncher::new, ExecWorkerLauncher::new);
    }

    LauncherByMode(Supplier<WorkerLauncher> nativeWorkers, Supplier<WorkerLauncher> execWorkers) {
        this.nativeWorkers = nativeWorkers;
        this.execWorkers = execWorkers;
    }

    @Override
    public synchronized WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException {
        if (config.isExec()) {
            if (execLauncher == null) {
                execLauncher = execWorkers.get();
            }
            return execLauncher.launch(settings, config);
        }
        if (nativeLauncher == null) {
            nativeLauncher = nativeWorkers.get();
        }
        return nativeLauncher.launch(settings, config);
    }
}
