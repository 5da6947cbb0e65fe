package dev.prefork.examples.micronaut;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.function.Consumer;

/**
 * Optional, for no failed request when Prefork rolls its workers: under Prefork's agent, once a drain starts every
 * response says {@code Connection: close}, which makes Micronaut close the connection after it (as Prefork's own
 * workers do), and the agent sends SIGTERM only when the connections are gone, so Micronaut's graceful shutdown
 * closes no keep-alive connection under a client's next request. Without the agent (run alone) it does nothing.
 * The agent is on the system class path; its {@code GlueBridge.drainActions()} takes the action (JDK types only).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class PreforkDrain {
    private static final String BRIDGE = "dev.prefork.agent.GlueBridge";
    private volatile boolean draining;

    @SuppressWarnings("unchecked")
    public PreforkDrain() {
        try {
            Class<?> bridge = Class.forName(BRIDGE, true, ClassLoader.getSystemClassLoader());
            ((Consumer<Runnable>) bridge.getMethod("drainActions").invoke(null)).accept(() -> draining = true);
        } catch (ClassNotFoundException runAlone) {
            // not under Prefork: nothing to do
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(BRIDGE + ".drainActions() failed: " + e, e);
        }
    }

    @ResponseFilter
    public void closeWhileDraining(MutableHttpResponse<?> response) {
        if (draining) {
            response.header(HttpHeaders.CONNECTION, "close");
        }
    }
}
