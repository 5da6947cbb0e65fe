package dev.prefork.agent.spring;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;

/**
 * Jetty: {@code HttpConfiguration.setPersistentConnectionsEnabled(false)} ends each connection after its next
 * response; Jetty reads it for each request ({@code HttpConnection.HttpStreamOverHTTP1.headerComplete}, Jetty 12).
 */
final class JettyKeepAlive {
    private JettyKeepAlive() {
    }

    static Runnable endAfterNextResponse(Server server) {
        return () -> {
            for (org.eclipse.jetty.server.Connector connector : server.getConnectors()) {
                for (ConnectionFactory factory : connector.getConnectionFactories()) {
                    if (factory instanceof HttpConfiguration.ConnectionFactory http) {
                        http.getHttpConfiguration().setPersistentConnectionsEnabled(false);
                    }
                }
            }
        };
    }
}
