package dev.prefork.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Where framework glue (the Spring Boot jar, in the application's class loader) reports to the agent. The glue
 * finds these methods through the system class loader and keeps only JDK types: a request counter
 * ({@code accept(1)} when a request starts, {@code accept(-1)} when it ends) and a callback to run once the
 * application's server serves the inherited socket (Ready at once, without waiting for the /proc poll).
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
