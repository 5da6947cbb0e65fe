package dev.prefork.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Where framework glue (the Spring Boot jar, in the application's class loader) reports to the agent. The glue
 * finds these methods through the system class loader and keeps only JDK types: a request counter
 * ({@code accept(1)} when a request starts, {@code accept(-1)} when it ends) and a callback to run once the
 * application's server serves the inherited socket (Ready at once, without waiting for the /proc poll); and,
 * the other way, actions the agent runs when a drain starts, each making the glue's server end every keep-alive
 * connection after its next response (as native workers answer {@code Connection: close}).
 */
public final class GlueBridge {
    private static final LongAdder TOTAL = new LongAdder();
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static volatile boolean counting;
    private static volatile Runnable serverStarted = new Runnable() {
        @Override
        public void run() {
        }
    };
    private static final IntConsumer COUNTER = new IntConsumer() {
        @Override
        public void accept(int delta) {
            if (delta > 0) {
                TOTAL.increment();
                IN_FLIGHT.incrementAndGet();
            } else {
                IN_FLIGHT.decrementAndGet();
            }
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

    /** Called by the glue once; from then on requests are counted. */
    public static IntConsumer requestCounter() {
        counting = true;
        return COUNTER;
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

    static long total() {
        return TOTAL.sum();
    }

    static int inFlight() {
        return IN_FLIGHT.get();
    }
}
