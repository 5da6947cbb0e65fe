package dev.prefork.agent.spring;

import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;

/**
 * Finds the agent's bridge. The agent lives in the system class loader, this glue in the application's
 * (Spring Boot's fat-jar loader), so they meet only through JDK types: a {@link LongSupplier} called when a request
 * starts and a {@link LongBinaryOperator} that takes its value and the response status when it ends, a
 * {@link Runnable} to run when the server has started, and a
 * {@link Consumer} that takes the glue's action for a drain.
 */
final class AgentBridge {
    static final String BRIDGE_CLASS = "dev.prefork.agent.GlueBridge";

    private AgentBridge() {
    }

    static RequestCountingFilter requestCountingFilter() {
        return new RequestCountingFilter((LongSupplier) call("requestStarted"), (LongBinaryOperator) call("requestFinished"));
    }

    static Runnable serverStartedCallback() {
        return (Runnable) call("serverStartedCallback");
    }

    /** Hands the agent an action it runs when a drain has closed the listener. */
    @SuppressWarnings("unchecked")
    static void onDrain(Runnable action) {
        ((Consumer<Runnable>) call("drainActions")).accept(action);
    }

    private static Object call(String method) {
        try {
            Class<?> bridge = Class.forName(BRIDGE_CLASS, true, ClassLoader.getSystemClassLoader());
            return bridge.getMethod(method).invoke(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("prefork.agent=true but the Prefork agent's " + BRIDGE_CLASS + "." + method
                    + " is not on the system class path (" + e + "); start the application with the agent", e);
        }
    }
}
