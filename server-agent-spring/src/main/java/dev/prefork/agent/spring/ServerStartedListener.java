package dev.prefork.agent.spring;

import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Tells the agent that the main web server has started on the inherited socket (1-3 ms after its acceptor is in
 * accept), so Ready goes out at once instead of at the agent's next /proc poll. A management server on a port
 * of its own (a server namespace) is not the main server.
 */
final class ServerStartedListener implements ApplicationListener<WebServerInitializedEvent> {
    private final Runnable serverStarted;

    ServerStartedListener(Runnable serverStarted) {
        this.serverStarted = serverStarted;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            serverStarted.run();
        }
    }
}
