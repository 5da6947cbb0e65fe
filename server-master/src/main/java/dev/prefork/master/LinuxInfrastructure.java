package dev.prefork.master;

import dev.prefork.core.config.BindAddress;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.admin.AdminServer;
import dev.prefork.master.control.ControlDirectory;
import dev.prefork.master.control.ControlEvents;
import dev.prefork.master.control.ControlServer;
import dev.prefork.master.control.WorkerDirectory;
import dev.prefork.master.net.ListenerSet;
import dev.prefork.master.net.SystemdSockets;
import dev.prefork.master.os.NanoClock;
import dev.prefork.master.os.JnrPosix;
import dev.prefork.master.os.Posix;
import dev.prefork.master.os.SignalRelay;
import dev.prefork.master.os.ZombieReaper;
import dev.prefork.master.process.LauncherByMode;
import dev.prefork.master.process.WorkerLauncher;
import dev.prefork.master.supervisor.Infrastructure;
import dev.prefork.master.supervisor.Master;
import dev.prefork.master.supervisor.MasterSignal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

/** The real services: jnr-posix, JVM workers, Netty listeners and control socket, admin HTTP, signals. */
final class LinuxInfrastructure implements Infrastructure {
    /** A master on the real services, as the CLI and embedding run it. */
    static Master master(ServerConfig config, Supplier<ServerConfig> reloader, MasterHooks hooks) {
        return new Master(config, reloader, new LinuxInfrastructure(), System.err, NanoClock.SYSTEM, hooks);
    }

    private Posix posix;

    @Override
    public synchronized Posix posix() {
        if (posix == null) {
            posix = new JnrPosix();
        }
        return posix;
    }

    @Override
    public WorkerLauncher launcher() {
        return new LauncherByMode();
    }

    @Override
    public Listeners bindListeners(ServerConfig config) {
        // With reuse-port: one socket per slot and address, bound for the initial pool; the supervisor grows and
        // shrinks the slots with the pool. Without it every slot shares one set.
        // systemd socket activation replaces --bind (Gunicorn does the same).
        ListenerSet activated = SystemdSockets.adopt(System.getenv(), ProcessHandle.current().pid(),
                fd -> posix().setNonBlocking(fd));
        ListenerSet set = activated != null ? activated : ListenerSet.bind(config.binds(), config.backlog(),
                config.reusePort(), config.workers(), config.bindUnixMode(), config.bindUnixOwner());
        int socketCount = set.socketCount();
        return new Listeners() {
            @Override
            public int socketCount() {
                return socketCount;
            }

            @Override
            public int[] fdsForSlot(int slot) {
                return set.fdsForSlot(slot);
            }

            @Override
            public void ensureSlots(int count) {
                set.ensureSlots(count);
            }

            @Override
            public void shrinkTo(int count) {
                set.shrinkTo(count);
            }

            @Override
            public void close() {
                set.close();
            }
        };
    }

    @Override
    public ControlEndpoint startControl(ServerConfig config, WorkerDirectory directory, ControlEvents events,
                                        MeterRegistry registry) {
        ControlDirectory dir = ControlDirectory.create(config.controlDir());
        ControlServer server;
        try {
            server = ControlServer.start(dir.socketPath(), directory, events, registry);
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
        return new ControlEndpoint() {
            @Override
            public Path socketPath() {
                return dir.socketPath();
            }

            @Override
            public void close() {
                try {
                    server.close();
                } finally {
                    dir.close();
                }
            }
        };
    }

    @Override
    public Resource startAdmin(BindAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
                               BooleanSupplier ready) {
        AdminServer admin = AdminServer.start(address, registry, healthy, ready);
        return admin::close;
    }

    @Override
    public Reaper zombieReaper(LongPredicate spawnedByJdk, MeterRegistry registry) {
        ZombieReaper reaper = new ZombieReaper(posix(), spawnedByJdk, registry);
        return new Reaper() {
            @Override
            public void scan() {
                reaper.scan();
            }

            @Override
            public Object spawnLock() {
                return reaper.spawnLock();
            }
        };
    }

    @Override
    public void installSignalHandlers(Consumer<MasterSignal> sink) {
        SignalRelay.install(name -> sink.accept(MasterSignal.valueOf(name)),
                Arrays.stream(MasterSignal.values()).map(Enum::name).toArray(String[]::new));
    }
}
