package dev.prefork.examples.jetty;

import java.util.function.Consumer;

/**
 * Optional, for no failed request when Prefork rolls its workers: under Prefork's agent, Jetty ends each keep-alive
 * connection after its next response once a drain starts ({@code Connection: close}, as Prefork's own workers do),
 * and the agent sends SIGTERM only when the connections are gone, so the {@code GracefulHandler} never answers 503
 * to a request on a connection that was open when the stop began. Without the agent (run alone) it does nothing.
 * The agent is on the system class path; its {@code GlueBridge.drainActions()} takes the action (JDK types only).
 */
final class PreforkDrain {
    private static final String BRIDGE = "dev.prefork.agent.GlueBridge";

    private PreforkDrain() {
    }

    /** Runs {@code action} when the agent starts a drain; returns whether the agent is there. */
    @SuppressWarnings("unchecked")
    static boolean onDrain(Runnable action) {
        try {
            Class<?> bridge = Class.forName(BRIDGE, true, ClassLoader.getSystemClassLoader());
            ((Consumer<Runnable>) bridge.getMethod("drainActions").invoke(null)).accept(action);
            return true;
        } catch (ClassNotFoundException runAlone) {
            return false;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(BRIDGE + ".drainActions() failed: " + e, e);
        }
    }
}
