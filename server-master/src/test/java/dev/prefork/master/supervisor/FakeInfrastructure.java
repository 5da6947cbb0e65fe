package dev.prefork.master.supervisor;

import dev.prefork.core.config.BindAddress;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.control.ControlEvents;
import dev.prefork.master.control.WorkerDirectory;
import dev.prefork.master.os.FakePosix;
import dev.prefork.master.os.Posix;
import dev.prefork.master.process.WorkerLauncher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/** Records what the master starts and closes, in order; any step can be made to fail. */
final class FakeInfrastructure implements Infrastructure {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final FakePosix posix = new FakePosix();
    final FakeLauncher launcher = new FakeLauncher();
    volatile RuntimeException bindFailure;
    volatile RuntimeException adminFailure;
    volatile WorkerDirectory directory;
    volatile ControlEvents controlEvents;
    volatile BooleanSupplier healthy;
    volatile BooleanSupplier ready;
    volatile PrometheusMeterRegistry registry;

    FakeInfrastructure() {
        launcher.onLaunch = settings -> calls.add("launch " + settings.workerId());
    }

    @Override
    public Posix posix() {
        return posix;
    }

    @Override
    public WorkerLauncher launcher() {
        return launcher;
    }

    @Override
    public Listeners bindListeners(ServerConfig config) {
        if (bindFailure != null) {
            throw bindFailure;
        }
        calls.add("bind");
        return new Listeners() {
            @Override
            public int socketCount() {
                return config.binds().size();
            }

            @Override
            public int[] fdsForSlot(int slot) {
                return new int[] {50};
            }

            @Override
            public void ensureSlots(int count) {
            }

            @Override
            public void shrinkTo(int count) {
            }

            @Override
            public void close() {
                calls.add("close listeners");
            }
        };
    }

    @Override
    public ControlEndpoint startControl(ServerConfig config, WorkerDirectory directory, ControlEvents events,
                                        MeterRegistry registry) {
        calls.add("control");
        this.directory = directory;
        this.controlEvents = events;
        return new ControlEndpoint() {
            @Override
            public Path socketPath() {
                return Path.of("/tmp/prefork-fake/control.sock");
            }

            @Override
            public void close() {
                calls.add("close control");
            }
        };
    }

    @Override
    public Resource startAdmin(BindAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
                               BooleanSupplier ready) {
        if (adminFailure != null) {
            throw adminFailure;
        }
        calls.add("admin");
        this.registry = registry;
        this.healthy = healthy;
        this.ready = ready;
        return () -> calls.add("close admin");
    }

    @Override
    public Reaper zombieReaper(LongPredicate spawnedByJdk, MeterRegistry registry) {
        Object lock = new Object();
        return new Reaper() {
            @Override
            public void scan() {
            }

            @Override
            public Object spawnLock() {
                return lock;
            }
        };
    }

    @Override
    public void installSignalHandlers(Consumer<MasterSignal> sink) {
        calls.add("signals");
    }
}
