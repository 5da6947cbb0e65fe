package dev.prefork.core;

/** What exec workers (JVM applications run with the Prefork agent) are told when they do not serve the passed socket. */
public final class InheritedSocket {
    private InheritedSocket() {
    }

    /**
     * One line (short enough for a BootFailed frame with a short prefix): how to make each supported server
     * serve the listening socket Prefork passes at fd 0 instead of binding a port of its own.
     */
    public static final String REMEDY = "serve the inherited socket at fd 0, not a port of your own: Spring Boot "
            + "(Tomcat, Jetty): automatic through the Prefork agent; Jetty: ServerConnector#setInheritChannel(true); "
            + "Micronaut: env MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_FD=0 and "
            + "MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_BIND=false (README: Run your existing service)";
}
