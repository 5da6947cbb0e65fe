package dev.prefork.agent;

import dev.prefork.core.segment.RequestFigures;
import dev.prefork.core.segment.SegmentBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;

/**
 * Where framework glue (the Spring Boot jar, in the application's class loader) reports to the agent. The glue
 * finds these methods through the system class loader and keeps only JDK types: a request recorder (a
 * {@link LongSupplier} called when a request starts, whose value goes back with the response status to a
 * {@link LongBinaryOperator} when it ends; both write the worker's segment as native workers do) and a callback to
 * run once the application's server serves the inherited socket (Ready at once, without waiting for the /proc poll); and,
 * the other way, actions the agent runs when a drain starts, each making the glue's server end every keep-alive
 * connection after its next response (as native workers answer {@code Connection: close}).
 */
public final class GlueBridge {
    /** Where requests are recorded: the worker's segment, set in premain before the application's main. */
    private static volatile RequestFigures requests = new RequestFigures(SegmentBuffer.inMemory());
    private static volatile boolean counting;
    private static volatile Runnable serverStarted = new Runnable() {
        @Override
        public void run() {
        }
    };
    private static final LongSupplier REQUEST_STARTED = new LongSupplier() {
        @Override
        public long getAsLong() {
            return requests.started();
        }
    };
    private static final LongBinaryOperator REQUEST_FINISHED = new LongBinaryOperator() {
        @Override
        public long applyAsLong(long startNanos, long status) {
            return requests.finished(startNanos, (int) status);
        }
    };
    private static final Runnable SERVER_STARTED = new Runnable() {
        @Override
        public void run() {
            serverStarted.run();
        }
    };

    private static final List<Runnable> DRAIN_ACTIONS = new CopyOnWriteArrayList<>();
    private static final Consumer<Runnable> DRAIN_REGISTRY = new Consumer<Runnable>() {
        @Override
        public void accept(Runnable action) {
            DRAIN_ACTIONS.add(action);
        }
    };

    private GlueBridge() {
    }

    /**
     * Called by the glue once; from then on requests are counted. The glue calls the supplier when a request
     * starts and passes its value with the response status to {@link #requestFinished()} when it ends.
     */
    public static LongSupplier requestStarted() {
        counting = true;
        return REQUEST_STARTED;
    }

    /** {@code (start, status) -> requests served so far}; {@code start} is what {@link #requestStarted()} gave. */
    public static LongBinaryOperator requestFinished() {
        return REQUEST_FINISHED;
    }

    /** Called by the glue; the glue runs it when the server has started on the inherited socket. */
    public static Runnable serverStartedCallback() {
        return SERVER_STARTED;
    }

    /**
     * Called by the glue; it passes each action that makes its server close a keep-alive connection after the
     * connection's next response. The agent runs them once a drain has closed the listener.
     */
    public static Consumer<Runnable> drainActions() {
        return DRAIN_REGISTRY;
    }

    /** Whether the server ends its connections after their next response once {@link #runDrainActions} ran. */
    static boolean endsConnectionsAtDrain() {
        return !DRAIN_ACTIONS.isEmpty();
    }

    static void runDrainActions() {
        for (Runnable action : DRAIN_ACTIONS) {
            try {
                action.run();
            } catch (RuntimeException e) {
                AgentLog.info("drain: the framework glue's action failed (" + e + "); its keep-alive connections "
                        + "may stay open until the server's own shutdown");
            }
        }
    }

    static void onServerStarted(Runnable action) {
        serverStarted = action;
    }

    static boolean counting() {
        return counting;
    }

    /** Premain: record into the worker's segment. */
    static void recordInto(SegmentBuffer segment) {
        requests = new RequestFigures(segment);
    }
}
