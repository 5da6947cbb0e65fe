package dev.prefork.agent;

import java.util.function.IntConsumer;

/** Test double of the agent's bridge (same name and methods the glue looks up in the system class loader). */
public final class GlueBridge {
    static volatile int serverStarts;

    private GlueBridge() {
    }

    public static IntConsumer requestCounter() {
        return delta -> { };
    }

    public static Runnable serverStartedCallback() {
        return () -> serverStarts++;
    }
}
