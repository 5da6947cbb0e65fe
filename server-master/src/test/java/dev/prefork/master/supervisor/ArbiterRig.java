package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.control.Secrets;
import dev.prefork.master.control.WorkerAdmissions;
import dev.prefork.master.net.ListenerSlots;
import dev.prefork.master.os.ChildProcesses;
import dev.prefork.master.os.FakePosix;
import dev.prefork.master.process.WorkerSettingsFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An {@link Arbiter} with fake processes, posix, clock and links, driven step by step from the test thread:
 * no threads, no sleeps.
 */
final class ArbiterRig {
    final FakeClock clock = new FakeClock();
    final FakePosix posix = new FakePosix();
    final FakeLauncher launcher = new FakeLauncher();
    final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();
    final WorkerPool pool = new WorkerPool();
    final WorkerAdmissions admissions = new WorkerAdmissions(FakePosix.UID, slot -> new int[] {100 + slot});
    final MeterRegistry registry = new SimpleMeterRegistry();
    final MasterMetrics metrics = new MasterMetrics(registry);
    final ChildProcesses children = new ChildProcesses(clock);
    final CrashBackoff backoff = CrashBackoff.standard();
    final AtomicInteger zombieScans = new AtomicInteger();
    final Map<Integer, FakeLink> links = new HashMap<>();
    /** Slot sockets as the listener set would have them: how many slots are open. */
    final FakeSlots slots = new FakeSlots();
    Supplier<ServerConfig> reloader;
    /** Every hook call, by Gunicorn name, in order; set {@link #hooksThrow} to make each one throw after recording. */
    final List<String> hookCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The master pid the last {@code whenReady} hook was given. */
    volatile long readyMasterPid;
    boolean hooksThrow;
    final AtomicInteger listenerCloses = new AtomicInteger();
    final Arbiter arbiter;

    /** A small valid configuration: 2 workers, 30 s timeout, 5 s graceful timeout, 20 s boot timeout. */
    static ServerConfig.Builder config() {
        return ServerConfig.builder()
                .appClass("test.App")
                .workers(2)
                .timeout(Duration.ofSeconds(30))
                .gracefulTimeout(Duration.ofSeconds(5))
                .bootTimeout(Duration.ofSeconds(20));
    }

    ArbiterRig(ServerConfig config) {
        reloader = () -> config;
        WorkerSettingsFactory settings = new WorkerSettingsFactory("/tmp/prefork-test/control.sock", 1,
                FakePosix.MASTER_PID, new SplittableRandom(42));
        WorkerController workers = new WorkerController(pool, launcher, settings, admissions, children, posix,
                new Secrets(), events, new Object(), new RecordingHooks());
        arbiter = new Arbiter(config, () -> reloader.get(), events, pool, workers, backoff, metrics, slots,
                listenerCloses::incrementAndGet, zombieScans::incrementAndGet, clock, FakePosix.MASTER_PID);
    }

    /** Records each call as e.g. "pre_fork 3" and throws afterwards when {@link #hooksThrow} is set. */
    final class RecordingHooks implements MasterHooks {
        private void record(String call) {
            hookCalls.add(call);
            if (hooksThrow) {
                throw new IllegalStateException("hook " + call + " fails on purpose");
            }
        }

        @Override
        public void whenReady(MasterInfo master) {
            readyMasterPid = master.pid();
            record("when_ready " + master.config().workers());
        }

        @Override
        public void preFork(WorkerInfo worker) {
            record("pre_fork " + worker.id() + " pid " + worker.pid());
        }

        @Override
        public void postFork(WorkerInfo worker) {
            record("post_fork " + worker.id());
        }

        @Override
        public void workerExit(WorkerExit exit) {
            record("worker_exit " + exit.worker().id() + " code " + exit.exitCode() + (exit.expected() ? " expected" : " crash"));
        }

        @Override
        public void onReload(Reload reload) {
            record("on_reload " + reload.generation());
        }

        @Override
        public void nworkersChanged(WorkersChanged change) {
            record("nworkers_changed " + change.from() + "->" + change.to());
        }
    }

    /** Records the open slot count like a reuse-port listener set. */
    static final class FakeSlots implements ListenerSlots {
        int open;

        @Override
        public void ensureSlots(int count) {
            open = Math.max(open, count);
        }

        @Override
        public void shrinkTo(int count) {
            open = Math.min(open, Math.max(count, 1));
        }
    }

    ArbiterRig start() {
        arbiter.start();
        return this;
    }

    WorkerHandle worker(int id) {
        return pool.get(id);
    }

    List<WorkerHandle> live() {
        return pool.all();
    }

    FakeProcess process(WorkerHandle h) {
        return (FakeProcess) h.process();
    }

    FakeLink link(WorkerHandle h) {
        return links.get(h.id());
    }

    FakeLink connect(WorkerHandle h) {
        FakeLink link = new FakeLink();
        links.put(h.id(), link);
        arbiter.handle(new MasterEvent.WorkerConnected(h.id(), link));
        return link;
    }

    void message(WorkerHandle h, ControlMessage.Report message) {
        arbiter.handle(new MasterEvent.WorkerMessage(h.id(), message));
    }

    /** Connects (if needed) and reports Ready. */
    void ready(WorkerHandle h) {
        if (h.state() == WorkerState.SPAWNED) {
            connect(h);
        }
        message(h, new ControlMessage.Ready());
    }

    /** Connects (if needed) a standby and reports StandingBy. */
    void standBy(WorkerHandle h) {
        if (h.state() == WorkerState.SPAWNED) {
            connect(h);
        }
        message(h, new ControlMessage.StandingBy());
    }

    /** Boots every worker still booting (standbys stand by), and those their boot brought, until none boots. */
    void bootAll() {
        List<WorkerHandle> booting;
        while (!(booting = pool.where(w -> w.state().isBooting())).isEmpty()) {
            for (WorkerHandle h : booting) {
                if (h.isStandby()) {
                    standBy(h);
                } else {
                    ready(h);
                }
            }
        }
    }

    /** The live standbys, booting or standing by (not those told to leave). */
    List<WorkerHandle> standbys() {
        return pool.where(h -> h.isStandby() && h.state() != WorkerState.DRAINING);
    }

    void heartbeat(WorkerHandle h, long maxLoopLagMillis) {
        message(h, new ControlMessage.Heartbeat(maxLoopLagMillis));
    }

    void signal(MasterSignal signal) {
        arbiter.handle(new MasterEvent.SignalReceived(signal));
    }

    /** The process exits with {@code code}; its exit event is handled. */
    void exit(WorkerHandle h, int code) {
        process(h).exit(code);
        pump();
    }

    /** Handles every queued event. */
    void pump() {
        MasterEvent event;
        while ((event = events.poll()) != null) {
            arbiter.handle(event);
        }
    }

    /** Moves the clock by {@code d} in 100 ms ticks, handling queued events after each. */
    void elapse(Duration d) {
        long steps = d.toMillis() / 100;
        for (long i = 0; i < steps; i++) {
            clock.advance(Duration.ofMillis(100));
            arbiter.tick();
            pump();
        }
    }

    double restarts(String reason) {
        return metrics.restartCount(reason);
    }

    double gauge(String state) {
        return registry.get("prefork.workers").tag("state", state).gauge().value();
    }

    int capacityReady() {
        return pool.count(h -> h.isCapacity() && h.state() == WorkerState.READY);
    }

    /** Every worker that was told to go, by drain or stop or SIGKILL. */
    List<WorkerHandle> draining() {
        return pool.where(h -> h.state() == WorkerState.DRAINING);
    }
}
