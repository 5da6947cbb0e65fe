package dev.prefork.agent.spring;

import org.apache.catalina.connector.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The one setting per server that makes it serve {@code System.inheritedChannel()} (fd 0). */
final class InheritedChannelCustomizers {
    private InheritedChannelCustomizers() {
    }

    /** Tomcat NIO: {@code useInheritedChannel}; Tomcat fails to start if fd 0 holds no listening socket. */
    static void tomcat(Connector connector) {
        if (!connector.setProperty("useInheritedChannel", "true")) {
            throw new IllegalStateException("Tomcat connector " + connector.getProtocolHandlerClassName()
                    + " has no useInheritedChannel property: Prefork needs the NIO connector (the default)");
        }
    }

    /** Jetty: every {@link ServerConnector} takes the inherited channel (Jetty falls back to binding with a warning). */
    static void jetty(Server server) {
        for (org.eclipse.jetty.server.Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector serverConnector) {
                serverConnector.setInheritChannel(true);
            }
        }
    }
}
