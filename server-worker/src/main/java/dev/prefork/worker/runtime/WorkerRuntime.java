package dev.prefork.worker.runtime;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.core.segment.JvmSampler;
import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.WorkerSegment;
import dev.prefork.worker.http.ServingStats;
import io.netty.channel.EventLoopGroup;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker JVM's life: read the secret, watch the master, hand-shake on the control socket, load and init the
 * application, serve the inherited listening sockets, heartbeat, and drain or stop when told.
 * Boot runs on the main thread; everything after it on the control event loop (one thread), so the drain and
 * heartbeat state needs no locks.
 */
public final class WorkerRuntime implements WorkerCommands {
    private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
    private static final long BOOT_FAILED_FLUSH_MILLIS = 2_000;

    private final WorkerSettings settings;
    private final WorkerIdentity id;
    private final QuietExit exit;
    private final long mainStartNanos;
    private EventLoopGroup controlLoop;
    private ControlLink link;
    private ServingStats stats;
    // Confined to the control loop:
    private Drainer drainer;
    private DrainOrder pendingDrain;
    private WorkerServingControl control;
    /** A standby's Activate that came before its serving state reached the control loop: {slot, group}. */
    private int[] pendingActivation;
    private boolean activated;

    private WorkerRuntime(WorkerSettings settings, WorkerIdentity id, QuietExit exit, long mainStartNanos) {
        this.settings = settings;
        this.id = id;
        this.exit = exit;
        this.mainStartNanos = mainStartNanos;
    }

    /** Runs a worker as started by the master; returns once it serves (the event loops keep the JVM alive). */
    public static void run(String[] args, InputStream stdin, ProcessExit exit) {
        long start = System.nanoTime();
        WorkerBoot.disableNettyJfrUnlessSet();
        WorkerSettings settings;
        try {
            settings = WorkerSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("prefork worker: " + e.getMessage());
            exit.halt(ExitCodes.WORKER_BOOT_ERROR);
            return;
        }
        WorkerIdentity id = new WorkerIdentity(settings.workerId(), ProcessHandle.current().pid());
        String secret;
        try {
            secret = SecretReader.read(stdin);
        } catch (IOException e) {
            log.error("{} cannot read its secret from stdin: {}", id, e.getMessage());
            exit.halt(e instanceof EOFException ? ExitCodes.WORKER_ORPHANED : ExitCodes.WORKER_HANDSHAKE_FAILED);
            return;
        }
        QuietExit quietExit = new QuietExit(exit);
        WorkerRuntime runtime = new WorkerRuntime(settings, id, quietExit, start);
        MasterWatch watch = new MasterWatch(MasterWatch.stdinChannel(), settings.masterPid(),
                MasterWatch::currentParentPid, runtime::masterGone);
        quietExit.stopBeforeExit(watch::stop);
        watch.start();
        try {
            runtime.boot(secret);
        } catch (Throwable t) {
            runtime.bootFailed(new WorkerBootException(id + " failed to boot: " + t
                    + "; see the stack trace in the worker's log", t));
        }
    }

    private void boot(String secret) throws InterruptedException {
        controlLoop = WorkerBoot.controlLoop();
        exit.stopBeforeExit(controlLoop);
        try {
            link = ControlClient.connect(controlLoop, settings.controlSocket(), settings.workerId(), secret,
                    settings.socketCount(), this).get();
        } catch (ExecutionException e) {
            log.error("{} handshake with the master failed: {}", id, e.getCause().getMessage());
            exit.halt(ExitCodes.WORKER_HANDSHAKE_FAILED);
            return;
        }
        long handshakeDone = System.nanoTime();
        log.debug("{} received {} listening socket(s) in {} ms", id, link.listenFds().size(), millisSince(mainStartNanos));
        WorkerSignals.install(this);
        SegmentBuffer segment;
        try {
            segment = settings.segment().isEmpty() ? SegmentBuffer.inMemory()
                    : WorkerSegment.attach(Path.of(settings.segment()), settings.workerId(), id.pid()).buffer();
        } catch (IOException e) {
            bootFailed(new WorkerBootException(id + " cannot map its segment: " + e.getMessage(), e));
            return;
        }
        stats = new ServingStats(segment, settings.maxRequests(), this::requestRecycle);
        WorkerBoot.Serving serving;
        try {
            serving = WorkerBoot.serve(settings, id, link, controlLoop, stats, false);
        } catch (WorkerBootException e) {
            bootFailed(e);
            return;
        }
        exit.stopBeforeExit(serving.loops());
        long initMillis = millisSince(handshakeDone);
        WorkerServingControl control = new WorkerServingControl(serving.listeners(), serving.http(),
                serving.application(), id);
        controlLoop.execute(() -> startServing(control, serving.lag()));
        log.info("{} {} in {} ms (app init {} ms): {} on {}{} with {} event loop(s){}, {}{}", id,
                settings.standby() ? "standing by" : "ready", millisSince(mainStartNanos), initMillis,
                settings.appClass(), serving.listeners().addresses(),
                settings.standby() ? " (paused until activated)" : "",
                serving.loopCount(), serving.pool() == null ? "" : " and " + serving.pool(),
                serving.tls() == null ? "cleartext" : "TLS by " + serving.tls().providerDescription(),
                !settings.http2() ? ", HTTP/1.1" : serving.tls() == null ? ", HTTP/1.1 and h2c" : ", HTTP/1.1 and h2 (ALPN)");
    }

    /** On the control loop. */
    private void startServing(WorkerServingControl control, LoopLagMonitor lag) {
        this.control = control;
        drainer = new Drainer(id, controlLoop, control, System::nanoTime, exit);
        long period = settings.heartbeatMillis();
        controlLoop.scheduleAtFixedRate(() -> link.send(new ControlMessage.Heartbeat(lag.maxLagMillis())),
                period, period, TimeUnit.MILLISECONDS);
        // The JVM's figures, off the request path: once a second on this loop, with the event loops' lag.
        JvmSampler sampler = new JvmSampler(stats.segment());
        Runnable sample = () -> {
            stats.segment().putLongRelease(SegmentField.LOOP_LAG_MILLIS.offset(), lag.maxLagMillis());
            sampler.run();
        };
        sample.run();
        controlLoop.scheduleAtFixedRate(sample, JvmSampler.PERIOD_MILLIS, JvmSampler.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        if (pendingDrain != null) {
            drainer.drain(pendingDrain);
        } else if (pendingActivation != null) {
            activateNow(pendingActivation[0], pendingActivation[1]);
        }
    }

    @Override
    public void activate(int slot, int socketGroup) {
        controlLoop.execute(() -> {
            if (control == null) {
                pendingActivation = new int[] {slot, socketGroup};
            } else {
                activateNow(slot, socketGroup);
            }
        });
    }

    /** On the control loop: a standby starts accepting. */
    private void activateNow(int slot, int socketGroup) {
        if (!settings.standby() || activated || drainer.started()) {
            log.warn("{} ignores the master's Activate for slot {}: {}", id, slot, !settings.standby()
                    ? "it is no standby" : activated ? "it is already active" : "it is draining");
            return;
        }
        activated = true;
        long start = System.nanoTime();
        try {
            control.serveGroup(socketGroup, settings.standbySocketGroups());
        } catch (IllegalStateException e) {
            String reason = id + " cannot serve slot " + slot + ": " + e.getMessage() + "; this is a master bug: report it";
            log.error(reason);
            link.send(new ControlMessage.BootFailed(reason)).addListener(f -> exit.halt(ExitCodes.WORKER_BOOT_ERROR));
            return;
        }
        link.send(new ControlMessage.Ready());
        log.info("{} activated in slot {}: accepting on {} after {} us", id, slot, control.addresses(),
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
    }

    private void bootFailed(WorkerBootException failure) {
        // The full error reaches the master's log through stderr; the reason travels in BootFailed.
        System.err.println(id + " failed to boot: " + failure.getMessage());
        if (failure.getCause() != null) {
            failure.getCause().printStackTrace();
        }
        log.error("{} boot failed: {}", id, failure.getMessage());
        if (link != null) {
            link.send(new ControlMessage.BootFailed(failure.getMessage()))
                    .awaitUninterruptibly(BOOT_FAILED_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        }
        exit.halt(ExitCodes.WORKER_BOOT_ERROR);
    }

    private void requestRecycle() {
        long served = stats.requestsTotal();
        log.info("{} served {} requests (max-requests {}); asking the master to recycle it", id, served,
                settings.maxRequests());
        link.send(new ControlMessage.RecycleRequest(served));
    }

    @Override
    public void drain(DrainOrder order) {
        controlLoop.execute(() -> {
            if (drainer != null) {
                drainer.drain(order);
            } else if (pendingDrain == null || order.endsBefore(pendingDrain)) {
                log.info("{} got {} while booting; draining once it serves", id, order.reason());
                pendingDrain = order;
            }
        });
    }

    @Override
    public void stop(String reason) {
        log.info("{} stopping now on {}", id, reason);
        exit.halt(ExitCodes.WORKER_OK);
    }

    @Override
    public void controlLost(String reason) {
        masterGone(reason);
    }

    private void masterGone(String reason) {
        if (exit.exiting()) {
            return; // the exit closed the control connection itself
        }
        log.warn("{} exiting: the master is gone ({})", id, reason);
        exit.halt(ExitCodes.WORKER_ORPHANED);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
