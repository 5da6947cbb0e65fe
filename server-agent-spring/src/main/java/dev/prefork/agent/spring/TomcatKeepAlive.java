package dev.prefork.agent.spring;

import org.apache.catalina.connector.Connector;

/**
 * Tomcat: {@code maxKeepAliveRequests=1} ends each connection after its next response; Tomcat reads it for each
 * request ({@code Http11Processor.service}, Tomcat 10.1).
 */
final class TomcatKeepAlive {
    private TomcatKeepAlive() {
    }

    static Runnable endAfterNextResponse(Connector connector) {
        return () -> {
            if (!connector.setProperty("maxKeepAliveRequests", "1")) {
                throw new IllegalStateException("Tomcat connector " + connector.getProtocolHandlerClassName()
                        + " has no maxKeepAliveRequests property");
            }
        };
    }
}
