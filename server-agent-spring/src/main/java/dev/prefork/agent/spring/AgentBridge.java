package dev.prefork.agent.spring;

import java.util.function.IntConsumer;

/**
 * Finds the agent's request counter. The agent lives in the system class loader, this glue in the
 * application's (Spring Boot's fat-jar loader), so they meet only through a JDK type: an {@link IntConsumer}
 * that takes +1 when a request starts and -1 when it ends.
 */
final class AgentBridge {
    static final String BRIDGE_CLASS = "dev.prefork.agent.RequestBridge";

    private AgentBridge() {
    }

    static IntConsumer requestCounter() {
        try {
            Class<?> bridge = Class.forName(BRIDGE_CLASS, true, ClassLoader.getSystemClassLoader());
            return (IntConsumer) bridge.getMethod("counter").invoke(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("prefork.agent=true but the Prefork agent's " + BRIDGE_CLASS
                    + " is not on the system class path (" + e + "); start the application with the agent", e);
        }
    }
}
