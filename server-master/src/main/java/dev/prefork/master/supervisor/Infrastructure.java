package dev.prefork.master.supervisor;

import dev.prefork.core.config.BindAddress;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.control.ControlEvents;
import dev.prefork.master.control.WorkerDirectory;
import dev.prefork.master.net.ListenerSlots;
import dev.prefork.master.os.Posix;
import dev.prefork.master.process.WorkerLauncher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * The OS-facing services the {@link Master} starts around the supervision loop. The real ones are in
 * {@code dev.prefork.master.LinuxInfrastructure}; tests substitute fakes to check ordering, exit codes and clean-up.
 */
public interface Infrastructure {

    Posix posix();

    WorkerLauncher launcher();

    /** Binds every listen address before any worker exists; throws {@link dev.prefork.master.net.BindException}. */
    Listeners bindListeners(ServerConfig config);

    /** Creates the private control directory and starts the control socket server in it. */
    ControlEndpoint startControl(ServerConfig config, WorkerDirectory directory, ControlEvents events,
                                 MeterRegistry registry);

    /** Starts the admin HTTP server; throws {@link dev.prefork.master.net.BindException}. */
    Resource startAdmin(BindAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
                        BooleanSupplier ready);

    /** Counts zombie children and reaps those the JDK did not spawn. */
    Reaper zombieReaper(LongPredicate spawnedByJdk, MeterRegistry registry);

    /** Routes TERM, INT, HUP, TTIN, TTOU, CHLD to {@code sink}; the handlers only enqueue. */
    void installSignalHandlers(Consumer<MasterSignal> sink);

    /** Something to close at exit; close never throws. */
    interface Resource extends AutoCloseable {
        @Override
        void close();
    }

    /** The zombie reaper's two faces: a scan per call, and the lock to hold while spawning. */
    interface Reaper {
        void scan();

        /** Held from process start until the pid is registered, so that a scan never takes it for an orphan. */
        Object spawnLock();
    }

    /** The bound listening sockets. */
    interface Listeners extends Resource, ListenerSlots {
        /** Sockets each worker receives: one per {@code --bind} address. */
        int socketCount();

        /** The fds for a worker slot (with reuse-port, after {@link #ensureSlots} covered it). */
        int[] fdsForSlot(int slot);
    }

    /** The running control socket server and its directory. */
    interface ControlEndpoint extends Resource {
        Path socketPath();
    }
}
