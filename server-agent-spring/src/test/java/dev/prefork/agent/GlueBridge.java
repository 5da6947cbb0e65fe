package dev.prefork.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;

/** Test double of the agent's bridge (same name and methods the glue looks up in the system class loader). */
public final class GlueBridge {
    static volatile int serverStarts;
    public static final List<Runnable> DRAIN_ACTIONS = new CopyOnWriteArrayList<>();

    private GlueBridge() {
    }

    public static LongSupplier requestStarted() {
        return () -> 0;
    }

    public static LongBinaryOperator requestFinished() {
        return (start, status) -> 0;
    }

    public static Runnable serverStartedCallback() {
        return () -> serverStarts++;
    }

    public static Consumer<Runnable> drainActions() {
        return DRAIN_ACTIONS::add;
    }
}
