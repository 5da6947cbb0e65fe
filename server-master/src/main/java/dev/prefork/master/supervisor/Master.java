package dev.prefork.master.supervisor;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.control.Secrets;
import dev.prefork.master.control.WorkerAdmissions;
import dev.prefork.master.net.BindException;
import dev.prefork.master.os.ChildProcesses;
import dev.prefork.master.os.NanoClock;
import dev.prefork.master.os.PidFile;
import dev.prefork.master.os.Posix;
import dev.prefork.master.process.WorkerSettingsFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master run: pid file, listeners (before any worker), control socket, admin HTTP, signals, then the
 * {@link Arbiter} loop; afterwards everything is closed and every worker is gone, on every exit path.
 */
public final class Master {
    private static final Logger LOG = LoggerFactory.getLogger(Master.class);
    private static final long KILL_WAIT_MILLIS = 2000;

    private final ServerConfig config;
    private final Supplier<ServerConfig> reloader;
    private final Infrastructure infra;
    private final PrintStream err;
    private final NanoClock clock;
    private final MasterHooks hooks;
    private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

    public Master(ServerConfig config, Supplier<ServerConfig> reloader, Infrastructure infra, PrintStream err,
                  NanoClock clock) {
        this(config, reloader, infra, err, clock, MasterHooks.NONE);
    }

    /** @param hooks the user's master hooks (embedding); a hook that throws is logged and ignored */
    public Master(ServerConfig config, Supplier<ServerConfig> reloader, Infrastructure infra, PrintStream err,
                  NanoClock clock, MasterHooks hooks) {
        this.hooks = hooks == null ? MasterHooks.NONE : hooks;
        this.config = config;
        this.reloader = reloader;
        this.infra = infra;
        this.err = err;
        this.clock = clock;
    }

    /** Delivers a signal as if the OS had (embedding and tests). */
    public void signal(MasterSignal signal) {
        events.add(new MasterEvent.SignalReceived(signal));
    }

    public int run() {
        HookCaller hookCaller = new HookCaller(hooks);
        int exitCode = ExitCodes.RUNTIME_FAILURE;
        try {
            exitCode = runMaster(hookCaller);
            return exitCode;
        } finally {
            int code = exitCode;
            hookCaller.call("on_exit", x -> x.onExit(code));
        }
    }

    private int runMaster(HookCaller hookCaller) {
        ChildProcesses children = new ChildProcesses(clock);
        // Closed in reverse order of opening, on every exit path: workers first, the pid file last.
        Deque<Opened> opened = new ArrayDeque<>();
        boolean looping = false;
        try {
            // First, so a TERM during start-up is queued for the loop instead of killing the JVM half-started.
            infra.installSignalHandlers(this::signal);
            Posix posix = infra.posix();
            long pid = posix.getpid();
            hookCaller.call("on_starting", x -> x.onStarting(new MasterHooks.MasterInfo(pid, config)));
            if (config.pidfile() != null) {
                PidFile pidfile = PidFile.acquire(config.pidfile(), pid, PidFile::isRunning);
                opened.push(new Opened("pid file", pidfile::release));
            }
            Infrastructure.Listeners listeners = infra.bindListeners(config);
            opened.push(new Opened("listeners", listeners));
            LOG.info("master pid {}: {} workers of {}", pid, config.workers(),
                    config.isExec() ? "exec command " + config.workerCommand() : config.appClass());
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MasterMetrics metrics = new MasterMetrics(registry);
            registry.getPrometheusRegistry().register(metrics.durationHistograms());
            registry.getPrometheusRegistry().register(metrics.appMetrics());
            WorkerAdmissions admissions = new WorkerAdmissions(posix.getuid(), listeners::fdsForSlot);
            Infrastructure.ControlEndpoint control = infra.startControl(config, admissions,
                    new QueuedControlEvents(events), registry);
            opened.push(new Opened("control socket", control));
            WorkerPool pool = new WorkerPool();
            WorkerSettingsFactory settings = new WorkerSettingsFactory(control.socketPath().toString(),
                    listeners.socketCount(), pid, new SplittableRandom());
            Infrastructure.Reaper reaper = infra.zombieReaper(children::spawnedByJdk, registry);
            WorkerController workers = new WorkerController(pool, infra.launcher(), settings, admissions, children,
                    posix, new Secrets(), events, reaper.spawnLock(), hooks);
            Arbiter arbiter = new Arbiter(config, reloader, events, pool, workers, CrashBackoff.standard(), metrics,
                    listeners, listeners::close, reaper::scan, clock, pid);
            if (config.admin() != null) {
                opened.push(new Opened("admin HTTP",
                        infra.startAdmin(config.admin(), registry, arbiter::isHealthy, arbiter::isReady)));
            }
            if (!posix.setChildSubreaper()) {
                LOG.debug("PR_SET_CHILD_SUBREAPER refused: orphans of workers go to init, not to the master");
            }
            Thread killHook = new Thread(() -> children.destroyAll(KILL_WAIT_MILLIS), "prefork-kill-workers");
            Runtime.getRuntime().addShutdownHook(killHook);
            opened.push(new Opened("shutdown hook", () -> removeHook(killHook)));
            // The loop spawns the workers: they are the last thing opened, so the first closed.
            opened.push(new Opened("workers", () -> children.destroyAll(KILL_WAIT_MILLIS)));
            looping = true;
            return arbiter.run();
        } catch (BindException e) {
            return startFailed(e, ExitCodes.CANNOT_BIND);
        } catch (PidFile.PidFileException e) {
            return startFailed(e, e.exitCode());
        } catch (ConfigException e) {
            return startFailed(e, ExitCodes.USAGE);
        } catch (RuntimeException e) {
            if (looping) {
                LOG.error("master failed", e);
                return ExitCodes.RUNTIME_FAILURE;
            }
            LOG.debug("start-up failed", e);
            return startFailed(e, ExitCodes.RUNTIME_FAILURE);
        } finally {
            while (!opened.isEmpty()) {
                opened.pop().closeQuietly();
            }
        }
    }

    /** Nothing runs yet: one line on stderr, then the exit code. */
    private int startFailed(RuntimeException e, int exitCode) {
        err.println("prefork: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        return exitCode;
    }

    /** Something the run opened, to close at its end; a failure to close is logged, never thrown. */
    private record Opened(String what, AutoCloseable resource) {
        void closeQuietly() {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing the {} failed: {}", what, e.toString());
            }
        }
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook runs, harmlessly.
        }
    }
}
