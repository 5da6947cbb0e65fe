package dev.prefork.master.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prefork.core.config.BindAddress;
import dev.prefork.master.net.BindException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin HTTP (JDK {@code HttpServer}, two daemon threads): {@code GET /metrics} (Prometheus text format),
 * {@code /healthz} (200 "ok" / 503 "unhealthy") and {@code /readyz} (200 "ready" / 503 "not ready").
 * HEAD is answered like GET without a body; other methods get 405, other paths 404.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String OPTION = "--admin";
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    /** jdk.httpserver's switch for TCP_NODELAY on accepted connections. */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier healthy;
    private final BooleanSupplier ready;

    private AdminServer(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
                        BooleanSupplier healthy, BooleanSupplier ready) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.healthy = healthy;
        this.ready = ready;
    }

    /**
     * Binds and serves; throws {@link dev.prefork.master.net.BindException} if the address cannot be bound
     * (and {@link dev.prefork.core.config.ConfigException} if the host does not resolve).
     */
    public static AdminServer start(BindAddress address, PrometheusMeterRegistry registry,
                                    BooleanSupplier healthy, BooleanSupplier ready) {
        InetSocketAddress resolved = address.resolve(OPTION);
        // The JDK server leaves Nagle on: a scraper that reuses its connection (Prometheus does) waited ~40 ms
        // per small response for the delayed ACK. The property is read once, when the first server is made;
        // a value the user set wins.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        HttpServer server;
        try {
            server = HttpServer.create(resolved, 0);
        } catch (IOException e) {
            throw bindFailure(address, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, daemonThreads());
        AdminServer admin = new AdminServer(server, executor, registry, healthy, ready);
        server.createContext("/", admin::handle);
        server.setExecutor(executor);
        server.start();
        log.info("admin HTTP on {}:{} (/metrics, /healthz, /readyz)", address.host(), admin.port());
        return admin;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "method not allowed\n", false);
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics":
                    respond(exchange, 200, METRICS_CONTENT_TYPE, registry.scrape(), head);
                    break;
                case "/healthz":
                    boolean isHealthy = healthy.getAsBoolean();
                    respond(exchange, isHealthy ? 200 : 503, TEXT, isHealthy ? "ok" : "unhealthy", head);
                    break;
                case "/readyz":
                    boolean isReady = ready.getAsBoolean();
                    respond(exchange, isReady ? 200 : 503, TEXT, isReady ? "ready" : "not ready", head);
                    break;
                default:
                    respond(exchange, 404, TEXT, "not found; try /metrics, /healthz or /readyz\n", head);
            }
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            try {
                respond(exchange, 500, TEXT, "internal error\n", false);
            } catch (IOException | RuntimeException alreadyResponding) {
                // Headers were sent already: closing the exchange is all that is left.
            }
        } finally {
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static BindException bindFailure(BindAddress address, IOException e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        String remedy;
        if (reason.contains("in use")) {
            remedy = "stop the process that holds it or choose another " + OPTION + " HOST:PORT (or " + OPTION + " off)";
        } else if (reason.contains("ermission")) {
            remedy = address.port() > 0 && address.port() < 1024
                    ? "use a port >= 1024 or grant CAP_NET_BIND_SERVICE"
                    : "check the security policy that forbids it, or choose another " + OPTION + " HOST:PORT";
        } else {
            remedy = "choose another " + OPTION + " HOST:PORT (or " + OPTION + " off)";
        }
        return new BindException(OPTION + " " + address + ": cannot bind (" + reason + "); " + remedy, e);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "prefork-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
