package dev.prefork.examples.jetty;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain embedded Jetty 12 service, written as any Jetty user would, that Prefork can run unmodified as an exec
 * worker. Its one Prefork-related setting: {@link ServerConnector#setInheritChannel(boolean)}, used when a listening
 * socket was handed to the JVM at fd 0 ({@link System#inheritedChannel()}); otherwise it binds {@code --port} (env
 * {@code PORT}, default 8080) like any service run alone.
 *
 * <p>SIGTERM stops it gracefully: {@link Server#setStopAtShutdown(boolean)} runs Jetty's stop from the JVM's
 * shutdown hook, and the {@link GracefulHandler} lets requests in flight finish within the stop timeout
 * ({@code --stop-timeout} seconds, env {@code STOP_TIMEOUT}, default 30). Optional, under Prefork:
 * {@link PreforkDrain} ends keep-alive connections after their next response once a drain starts.
 */
public final class JettyExample {
    private static final Logger log = LoggerFactory.getLogger(JettyExample.class);

    private JettyExample() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Server server = new Server(new QueuedThreadPool(options.maxThreads()));
        ServerConnector connector = new ServerConnector(server);
        boolean inherited = inheritsListeningSocket();
        if (inherited) {
            // Accept on the socket the parent (Prefork's master, via its agent) put at fd 0; no port of our own.
            connector.setInheritChannel(true);
        } else {
            connector.setHost(options.host());
            connector.setPort(options.port());
        }
        server.addConnector(connector);
        HttpConfiguration http = connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
        PreforkDrain.onDrain(() -> http.setPersistentConnectionsEnabled(false));
        server.setHandler(new GracefulHandler(new ExampleHandler()));
        server.setStopTimeout(options.stopTimeoutMillis());
        server.setStopAtShutdown(true);
        server.start();
        long pid = ProcessHandle.current().pid();
        if (inherited) {
            log.info("pid {}: serving on the inherited listening socket {}", pid, connector.getTransport());
        } else {
            log.info("pid {}: serving on {}:{}", pid, options.host(), connector.getLocalPort());
        }
        server.join();
    }

    /** Whether fd 0 is a listening TCP socket, the way Prefork's agent (or inetd/systemd-style launchers) hand one over. */
    static boolean inheritsListeningSocket() throws IOException {
        Channel channel = System.inheritedChannel();
        return channel instanceof ServerSocketChannel;
    }
}
