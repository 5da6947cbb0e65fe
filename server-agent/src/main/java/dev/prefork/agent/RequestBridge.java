package dev.prefork.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Where framework glue (the Spring Boot jar, in the application's class loader) reports requests. The glue
 * finds {@link #counter()} through the system class loader and keeps only the JDK type {@link IntConsumer}:
 * {@code accept(1)} when a request starts, {@code accept(-1)} when it ends.
 */
public final class RequestBridge {
    private static final LongAdder TOTAL = new LongAdder();
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static volatile boolean attached;
    private static final IntConsumer COUNTER = delta -> {
        if (delta > 0) {
            TOTAL.increment();
            IN_FLIGHT.incrementAndGet();
        } else {
            IN_FLIGHT.decrementAndGet();
        }
    };

    private RequestBridge() {
    }

    /** Called by the glue once; from then on requests are counted. */
    public static IntConsumer counter() {
        attached = true;
        return COUNTER;
    }

    static boolean attached() {
        return attached;
    }

    static long total() {
        return TOTAL.sum();
    }

    static int inFlight() {
        return IN_FLIGHT.get();
    }
}
