package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.master.process.WorkerLauncher;
import dev.prefork.master.process.WorkerProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Hands out fake processes with pids 10001, 10002, ... and remembers what it was asked. */
final class FakeLauncher implements WorkerLauncher {
    record Launch(WorkerSettings settings, ServerConfig config, FakeProcess process) {
    }

    final List<Launch> launches = new ArrayList<>();
    /** Set to make the next launches fail as ProcessBuilder.start would. */
    volatile boolean failing;
    /** Called with each launch's settings, e.g. to record the order of events. */
    volatile Consumer<WorkerSettings> onLaunch = s -> { };
    /** What {@link #codeVersion()} answers: set it to play a deploy that replaced the application's jar. */
    volatile String codeVersion = "v1";
    private long nextPid = 10_001;

    @Override
    public String codeVersion() {
        return codeVersion;
    }

    @Override
    public synchronized WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException {
        if (failing) {
            throw new IOException("Cannot run program \"java\": error=12, Cannot allocate memory");
        }
        onLaunch.accept(settings);
        FakeProcess process = new FakeProcess(nextPid++);
        launches.add(new Launch(settings, config, process));
        return process;
    }

    synchronized int count() {
        return launches.size();
    }
}
