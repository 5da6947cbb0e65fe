package dev.prefork.core;

/** What exec workers (JVM applications run with the Prefork agent) are told when they do not serve the passed socket. */
public final class InheritedSocket {
    private InheritedSocket() {
    }

    /**
     * One line (short enough for a BootFailed frame with a short prefix): how to make each supported server
     * serve the listening socket Prefork passes at fd 0 (or fd N) instead of binding a port.
     */
    public static final String REMEDY = "serve the inherited socket: Spring Boot: automatic; Tomcat: Connector "
            + "useInheritedChannel=\"true\"; Jetty: ServerConnector#setInheritChannel(true); Micronaut 4: "
            + "micronaut.netty.listeners.default.fd=N and --worker-fd N";
}
