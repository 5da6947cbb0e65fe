package dev.prefork.agent;

import dev.prefork.agent.os.Posix;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.InheritedSocket;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.JvmSampler;
import dev.prefork.core.segment.RequestFigures;
import dev.prefork.core.segment.SegmentBuffer;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The agent's side of one exec worker after the handshake: readiness, the JVM's figures in the worker's segment
 * (sampled as native workers do), heartbeats, the master's Drain and Stop, and the master going away. Runs on its
 * own daemon threads; never throws into the application.
 */
final class ExecWorker {
    /** After the listener is closed, time for connections already accepted to reach the server before TERM. */
    static final long TERM_AFTER_CLOSE_MILLIS = 100;
    /** How often the agent looks for client connections left while it waits for them to go. */
    static final long CONNECTION_POLL_MILLIS = 50;
    /** At most this much of a drain's budget is kept for the application's own shutdown after SIGTERM. */
    static final long SHUTDOWN_RESERVE_MILLIS = 5000;

    private final AgentArgs args;
    private final ControlChannel channel;
    private final InheritedListeners listeners;
    private final SegmentBuffer segment;
    private final RequestFigures requests;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(new ThreadFactory() {
        @Override
        public Thread newThread(Runnable r) {
            return daemon(r, "prefork-agent-timer");
        }
    });
    private final long bootStartNanos;
    private AgentState state = AgentState.BOOTING;
    /** Made on the timer thread at the first sample (the management beans cost), null if this JVM has none. */
    private JvmSampler sampler;
    private boolean samplerTried;
    private long lastBeatNanos;
    private boolean recycleRequested;

    ExecWorker(AgentArgs args, ControlChannel channel, InheritedListeners listeners, SegmentBuffer segment,
               long bootStartNanos) {
        this.args = args;
        this.channel = channel;
        this.listeners = listeners;
        this.segment = segment;
        this.requests = new RequestFigures(segment);
        this.bootStartNanos = bootStartNanos;
    }

    /** Runs in premain: anonymous classes, not lambdas, whose first bootstrap would cost ~20 ms there. */
    void start() throws IOException {
        ReadinessWatch readiness = new ReadinessWatch(this, listeners);
        daemon(new Runnable() {
            @Override
            public void run() {
                readControl();
            }
        }, "prefork-agent-control").start();
        daemon(readiness, "prefork-agent-readiness").start();
        GlueBridge.onServerStarted(new Runnable() {
            @Override
            public void run() {
                onAccepting("the framework glue reports its server started on");
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                onJvmExit();
            }
        }, "prefork-agent-exit"));
    }

    synchronized AgentState state() {
        return state;
    }

    private synchronized boolean moveTo(AgentState next) {
        if (!state.canMoveTo(next)) {
            return false;
        }
        state = next;
        return true;
    }

    /** The application's server accepts on the passed socket ({@code how} we know, for the log). */
    void onAccepting(String how) {
        if (!moveTo(AgentState.READY)) {
            return;
        }
        channel.trySend(new ControlMessage.Ready());
        AgentLog.info("ready: " + how + " " + listeners.describe() + ", "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bootStartNanos) + " ms after the agent started"
                + (GlueBridge.counting() ? "; requests are counted" : "; requests are not counted (no framework glue)"));
        lastBeatNanos = System.nanoTime();
        timer.scheduleAtFixedRate(this::sampleJvm, 0, JvmSampler.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::heartbeat, 0, args.heartbeatMillis(), TimeUnit.MILLISECONDS);
    }

    /** The application listens on a TCP port of its own and does not take ours. */
    void onOwnListener(long inode) {
        AgentLog.info("a listening TCP socket of the application's own (inode " + inode + ") serves instead of "
                + listeners.describe());
        fail("the application listens on a TCP port of its own, not on " + listeners.describe() + "; "
                + InheritedSocket.REMEDY);
    }

    private void fail(String reason) {
        if (!moveTo(AgentState.GONE)) {
            return;
        }
        AgentLog.info("boot failed: " + reason + "; exiting with code " + ExitCodes.WORKER_BOOT_ERROR);
        channel.trySend(new ControlMessage.BootFailed(reason));
        Runtime.getRuntime().halt(ExitCodes.WORKER_BOOT_ERROR);
    }

    /** On the timer thread: the JVM's figures into the segment, where the master reads them at scrape time. */
    private void sampleJvm() {
        try {
            if (!samplerTried) {
                samplerTried = true;
                sampler = new JvmSampler(segment);
            }
            if (sampler != null) {
                sampler.run();
            }
        } catch (RuntimeException | LinkageError e) {
            // E.g. a runtime image without java.management (jlink): no JVM figures, nothing else lost. Once.
            AgentLog.info("JVM figures unavailable (" + e + "); the segment shows requests only");
            sampler = null;
        }
    }

    /** Liveness (the master reads every figure from the segment), and the --max-requests check. */
    private void heartbeat() {
        try {
            long now = System.nanoTime();
            long lateMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - lastBeatNanos) - args.heartbeatMillis());
            lastBeatNanos = now;
            long total = requests.total();
            channel.trySend(new ControlMessage.Heartbeat(lateMillis));
            if (args.maxRequests() > 0 && total >= args.maxRequests() && !recycleRequested && state() == AgentState.READY) {
                recycleRequested = true;
                AgentLog.info("served " + total + " requests (--max-requests " + args.maxRequests() + "); asking to be recycled");
                channel.trySend(new ControlMessage.RecycleRequest(total));
            }
        } catch (RuntimeException e) {
            AgentLog.info("heartbeat failed: " + e);
        }
    }

    private void readControl() {
        String why;
        try {
            channel.readFrames(new Consumer<ControlMessage>() {
                @Override
                public void accept(ControlMessage message) {
                    onMessage(message);
                }
            });
            why = "the master closed the control socket";
        } catch (IOException | RuntimeException e) {
            why = "the control socket failed (" + e.getMessage() + ")";
        }
        if (moveTo(AgentState.GONE)) {
            AgentLog.info(why + ": the master is gone; halting with code " + ExitCodes.WORKER_ORPHANED);
            Runtime.getRuntime().halt(ExitCodes.WORKER_ORPHANED);
        }
    }

    private void onMessage(ControlMessage message) {
        if (message instanceof ControlMessage.Drain drain) {
            if (moveTo(AgentState.DRAINING)) {
                AgentLog.info("drain: accepting for " + drain.acceptForMillis() + " ms more, then closing the listener "
                        + "and sending SIGTERM to this JVM for its graceful shutdown");
                final long waitMillis = connectionWaitMillis(drain);
                timer.schedule(new Runnable() {
                    @Override
                    public void run() {
                        closeListener(waitMillis);
                    }
                }, drain.acceptForMillis(), TimeUnit.MILLISECONDS);
            }
        } else if (message instanceof ControlMessage.Stop) {
            if (moveTo(AgentState.GONE)) {
                AgentLog.info("stop: halting now");
                Runtime.getRuntime().halt(ExitCodes.WORKER_OK);
            }
        } else {
            AgentLog.info("ignoring unexpected " + message.getClass().getSimpleName() + " from the master");
        }
    }

    /**
     * How long, once the listener is closed, the agent waits for the client connections to go before SIGTERM:
     * the drain's budget after the accepting time, less a reserve for the application's own shutdown (half the
     * rest, at most {@link #SHUTDOWN_RESERVE_MILLIS}), so the master's SIGKILL at the budget's end is not reached.
     */
    static long connectionWaitMillis(ControlMessage.Drain drain) {
        long rest = drain.finishWithinMillis() - drain.acceptForMillis();
        return rest - Math.min(SHUTDOWN_RESERVE_MILLIS, rest / 2);
    }

    /**
     * Closes the listener. With framework glue that makes the server end each keep-alive connection after its
     * next response, waits (up to {@code waitMillis}) until this JVM holds no client connection of the port, so
     * that the framework's own shutdown has none left to cut under a client's next request; then SIGTERM.
     */
    private void closeListener(long waitMillis) {
        ClientConnections connections = null;
        try {
            connections = ClientConnections.ofListener(listeners.inode());
        } catch (IOException e) {
            AgentLog.info("drain: cannot find the listener's port (" + e.getMessage() + "); not waiting for connections");
        }
        try {
            listeners.close();
            AgentLog.info("drain: listener closed (" + listeners.describe() + ")");
        } catch (IOException | RuntimeException e) {
            AgentLog.info("drain: closing the listener failed (" + e + "); terminating anyway");
        }
        if (connections == null || !GlueBridge.endsConnectionsAtDrain()) {
            timer.schedule(this::terminate, TERM_AFTER_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        GlueBridge.runDrainActions();
        AgentLog.info("drain: the server closes each keep-alive connection after its next response; waiting up to "
                + waitMillis + " ms until this JVM holds no client connection on port " + connections.port());
        long start = System.nanoTime();
        awaitNoConnections(connections, start, start + TimeUnit.MILLISECONDS.toNanos(waitMillis));
    }

    private void awaitNoConnections(ClientConnections connections, long start, long deadline) {
        int open;
        try {
            open = connections.count();
        } catch (IOException e) {
            AgentLog.info("drain: counting client connections failed (" + e.getMessage() + "); terminating now");
            terminate();
            return;
        }
        long now = System.nanoTime();
        long waited = TimeUnit.NANOSECONDS.toMillis(now - start);
        if (open == 0) {
            AgentLog.info("drain: no client connection left after " + waited + " ms");
            terminate();
        } else if (now - deadline >= 0) {
            AgentLog.info("drain: " + open + " client connection(s) still open after " + waited + " ms; the "
                    + "application's own shutdown ends them");
            terminate();
        } else {
            timer.schedule(() -> awaitNoConnections(connections, start, deadline), CONNECTION_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void terminate() {
        try {
            Posix.killSelf(Posix.SIGTERM);
        } catch (IOException e) {
            AgentLog.info("drain: " + e.getMessage() + "; the master's budget ends this worker");
        }
    }

    /** The JVM is exiting on its own: before Ready that is a boot failure the master should know by name. */
    private void onJvmExit() {
        if (state() == AgentState.BOOTING && moveTo(AgentState.GONE)) {
            String reason = "the application exited before it accepted on " + listeners.describe()
                    + " (see its output); " + InheritedSocket.REMEDY;
            AgentLog.info("boot failed: " + reason);
            channel.trySend(new ControlMessage.BootFailed(reason));
        }
        // Leaving: the reader then takes the end of file it is given as ours, not as the master's death.
        moveTo(AgentState.GONE);
        channel.stopReading();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
