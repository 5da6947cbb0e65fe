package dev.prefork.master.supervisor;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.master.MasterHooks;
import dev.prefork.master.control.WorkerAdmissions;
import dev.prefork.master.os.ChildProcesses;
import dev.prefork.master.os.OsException;
import dev.prefork.master.os.Posix;
import dev.prefork.master.process.WorkerLauncher;
import dev.prefork.master.process.WorkerProcess;
import dev.prefork.master.process.WorkerSettingsFactory;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.WorkerSegment;
import java.io.IOException;
import java.util.Queue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Acts on worker processes: spawn, drain, stop, signal. Runs on the supervision thread. */
final class WorkerController {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerController.class);

    private final WorkerPool pool;
    private final WorkerLauncher launcher;
    private final WorkerSettingsFactory settingsFactory;
    private final WorkerAdmissions admissions;
    private final ChildProcesses children;
    private final Posix posix;
    private final Supplier<String> secrets;
    private final Queue<MasterEvent> events;
    private final Object spawnLock;
    private final HookCaller hooks;

    /**
     * @param spawnLock held from process start until its pid is registered (the zombie reaper's lock)
     * @param hooks     the user's master hooks, called by everything that acts on workers
     */
    WorkerController(WorkerPool pool, WorkerLauncher launcher, WorkerSettingsFactory settingsFactory,
                            WorkerAdmissions admissions, ChildProcesses children, Posix posix,
                            Supplier<String> secrets, Queue<MasterEvent> events, Object spawnLock,
                            MasterHooks hooks) {
        this.hooks = new HookCaller(hooks);
        this.pool = pool;
        this.launcher = launcher;
        this.settingsFactory = settingsFactory;
        this.admissions = admissions;
        this.children = children;
        this.posix = posix;
        this.secrets = secrets;
        this.events = events;
        this.spawnLock = spawnLock;
    }

    /**
     * Starts a worker in {@code slot}. Its exit comes back as a {@link MasterEvent.WorkerExited}.
     *
     * @throws IOException when the process cannot be started
     */
    WorkerHandle spawn(int slot, long generation, ServerConfig config, long now) throws IOException {
        return start(slot, 0, generation, config, now);
    }

    /**
     * Starts a standby: it boots and initialises the application, receives the sockets of slots
     * {@code 0..socketGroups-1} and waits, not accepting, until {@link #activate} gives it a slot.
     *
     * @throws IOException when the process cannot be started
     */
    WorkerHandle spawnStandby(int socketGroups, long generation, ServerConfig config, long now) throws IOException {
        return start(WorkerHandle.NO_SLOT, socketGroups, generation, config, now);
    }

    private WorkerHandle start(int slot, int socketGroups, long generation, ServerConfig config, long now)
            throws IOException {
        int id = pool.nextId();
        boolean standby = socketGroups > 0;
        // A standby writes its segment too: its JVM figures show under state="standby" before it serves.
        WorkerSegment segment = createSegment(id);
        java.nio.file.Path segmentPath = segment == null ? null : segment.path();
        WorkerSettings settings = standby ? settingsFactory.standbySettings(id, config, segmentPath, socketGroups)
                : settingsFactory.settings(id, config, segmentPath);
        String secret = secrets.get();
        MasterHooks.WorkerInfo before = new MasterHooks.WorkerInfo(id, slot, generation, -1);
        hooks.call("pre_fork", x -> x.preFork(before));
        WorkerProcess process;
        synchronized (spawnLock) {
            process = launcher.launch(settings, config);
            children.add(process);
        }
        WorkerHandle handle = new WorkerHandle(id, slot, generation, config, socketGroups, process, secret, now,
                settings.maxRequests());
        if (segment != null) {
            handle.segment(new SegmentReader(segment, id, process.pid()));
        }
        pool.add(handle);
        // Admission first: the worker cannot say Hello before it has read its secret.
        if (standby) {
            admissions.expectStandby(id, process.pid(), socketGroups, secret);
        } else {
            admissions.expect(id, process.pid(), slot, secret, process.agentMayBeDescendant());
        }
        process.onExit().whenComplete((code, error) ->
                events.add(new MasterEvent.WorkerExited(id, code == null ? -1 : code)));
        process.sendSecret(secret);
        LOG.info("{} spawned {}{}", handle, standby ? "as a standby (" + socketGroups + " socket group(s))"
                        : "in slot " + slot,
                settings.maxRequests() > 0 ? " (max-requests " + settings.maxRequests() + ")" : "");
        MasterHooks.WorkerInfo after = HookCaller.info(handle);
        hooks.call("post_fork", x -> x.postFork(after));
        return handle;
    }

    /** The worker's segment, or null (logged) when it cannot be made: the worker then serves without figures. */
    private WorkerSegment createSegment(int id) {
        java.nio.file.Path path = settingsFactory.segmentPath(id);
        try {
            return WorkerSegment.create(path, id);
        } catch (IOException | RuntimeException e) {
            LOG.warn("worker {}: cannot create its segment {} ({}); its figures will read 0", id, path, e.toString());
            return null;
        }
    }

    /** What a worker started now would run (see {@link WorkerLauncher#codeVersion()}). */
    String codeVersion() {
        return launcher.codeVersion();
    }

    /**
     * A standby takes {@code slot}: READY at once (it is booted; the worker registers its listeners within a
     * millisecond of the frame, and connections wait in the socket's backlog meanwhile).
     *
     * @return false when the standby has no control link (it is going away): it is not activated
     */
    boolean activate(WorkerHandle standby, int slot, long generation, boolean reusePort, String why) {
        int group = reusePort ? slot : 0;
        if (standby.link() == null) {
            return false;
        }
        String was = standby.toString();
        standby.activate(slot, generation);
        standby.send(new ControlMessage.Activate(slot, group));
        LOG.info("{} takes slot {} ({})", was, slot, why);
        return true;
    }

    /**
     * Tells a worker to finish in-flight work and leave within {@code budget}, which it gets in its Drain frame;
     * SIGKILL at the budget's deadline. A worker that has no control link yet holds no sockets, so it is killed
     * at once.
     */
    void drain(WorkerHandle h, DrainBudget budget, long now, String why) {
        if (h.state().isLeaving()) {
            h.scheduleKill(budget.killAt());
            return;
        }
        h.moveTo(WorkerState.DRAINING);
        h.scheduleKill(budget.killAt());
        if (h.send(budget.messageAt(now))) {
            LOG.info("{} draining ({})", h, why);
        } else {
            LOG.info("{} not connected yet; killing it ({})", h, why);
            kill(h);
        }
    }

    /** Tells a worker to exit now; SIGKILL at {@code killAt}, or at once when it has no control link. */
    void stop(WorkerHandle h, long killAt, String why) {
        if (!h.state().isLeaving()) {
            h.moveTo(WorkerState.DRAINING);
        }
        h.scheduleKill(killAt);
        if (h.send(new ControlMessage.Stop())) {
            LOG.info("{} told to stop ({})", h, why);
        } else {
            kill(h);
        }
    }

    HookCaller hooks() {
        return hooks;
    }

    /** SIGKILL, once; also to an exec worker's JVM when a launcher script started it as its child. */
    void kill(WorkerHandle h) {
        if (!h.isKillSent()) {
            h.killSent();
            signal(h, Posix.SIGKILL);
            // The handle checks the process's start time: never a reused pid.
            h.childJvm().ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * SIGQUIT: the worker JVM prints a thread dump to its stdout, which the master logs under the worker's id.
     * For an exec worker started by a launcher script it goes to the JVM, not to the script (which it would kill).
     */
    void threadDump(WorkerHandle h) {
        ProcessHandle jvm = h.childJvm().orElse(null);
        if (jvm == null) {
            signal(h, Posix.SIGQUIT);
        } else if (jvm.isAlive()) {
            try {
                posix.kill(jvm.pid(), Posix.SIGQUIT);
            } catch (OsException e) {
                LOG.warn("{}: {}", h, e.getMessage());
            }
        }
    }

    /** The process exited: forget its admission and its pid (keeping it in the recent set for the reaper). */
    void exited(WorkerHandle h) {
        pool.remove(h);
        admissions.forget(h.id());
        children.exited(h.pid());
    }

    private void signal(WorkerHandle h, int signal) {
        // The JDK marks a process dead once it has reaped it: never signal a pid that may have been reused.
        if (!h.process().isAlive()) {
            return;
        }
        try {
            posix.kill(h.pid(), signal);
        } catch (OsException e) {
            LOG.warn("{}: {}", h, e.getMessage());
        }
    }
}
