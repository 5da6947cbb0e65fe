package dev.prefork.worker.http;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import dev.prefork.worker.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP serving pipeline shared by the worker JVM and single-process servers: counters, connection
 * tracking for drains, and the per-connection handlers. Use: create, call the application's {@code init} with
 * {@link #context()}, then install {@link #childHandler()} on a {@code ServerBootstrap}.
 */
public final class HttpServing {
    private final Application application;
    private final HttpLimits limits;
    private final ServingStats stats;
    private final ConnectionTracker tracker;
    private final WorkerContext context;
    private final boolean accessLog;
    private ServerTls tls;
    private Http2Options http2 = Http2Options.off();
    private ChannelInitializer<Channel> childHandler;
    private HttpHandler handler;

    /**
     * @param workerId  the worker's id (0 for a single process)
     * @param loops     the serving event loops, exposed to the application through its context
     * @param accessLog log each request to logger {@code prefork.access}
     */
    public HttpServing(Application application, int workerId, EventLoopGroup loops, HttpLimits limits,
                       boolean accessLog, ServingStats stats) {
        this(application, workerId, loops, limits, accessLog, stats, null);
    }

    /** @param pool the handler threads of {@code --threads}, or null */
    public HttpServing(Application application, int workerId, EventLoopGroup loops, HttpLimits limits,
                       boolean accessLog, ServingStats stats, BlockingPool pool) {
        this.application = Objects.requireNonNull(application, "application");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.accessLog = accessLog;
        this.tracker = new ConnectionTracker(stats);
        this.context = new ServingWorkerContext(workerId, ProcessHandle.current().pid(), loops, tracker, pool,
                stats.segment());
    }

    /** Serves TLS with this context holder (null: cleartext). Call before {@link #childHandler()}. */
    public synchronized HttpServing tls(ServerTls tls) {
        this.tls = tls;
        return this;
    }

    /** HTTP/2 on or off and its limits; off unless set. Call before {@link #childHandler()}. */
    public synchronized HttpServing http2(Http2Options options) {
        this.http2 = Objects.requireNonNull(options, "options");
        return this;
    }

    /** The context to pass to {@link Application#init}. */
    public WorkerContext context() {
        return context;
    }

    /**
     * The child handler for accepted connections. Call after the application's {@code init}: it asks the
     * application for its {@link Application#handler()} once.
     *
     * @throws IllegalStateException when the application returns no handler
     */
    public synchronized ChannelInitializer<Channel> childHandler() {
        if (childHandler == null) {
            handler = application.handler();
            if (handler == null) {
                throw new IllegalStateException(application.getClass().getName()
                        + ".handler() returned null; return the HttpHandler that answers requests");
            }
            childHandler = new HttpChannelInitializer(application, handler, context, limits, stats, tracker,
                    accessLog ? new AccessLog() : null, tls, http2);
        }
        return childHandler;
    }

    /**
     * The same pipeline as {@link #childHandler()} for a standby's warm-up, counting into throwaway stats and its
     * own connection tracker: the warm-up's requests are not served requests (the worker's segment, its
     * --max-requests count, its connections and drain). Requests within the limits reach a stand-in handler, never
     * the application's: the dispatch, the completion and a 200 with a body are linked, and nothing of the
     * application runs twice.
     */
    public synchronized ChannelInitializer<Channel> warmUpHandler() {
        childHandler();
        ServingStats scratch = new ServingStats();
        return new HttpChannelInitializer(application, WARM_UP_ANSWER, context, limits, scratch,
                new ConnectionTracker(scratch), accessLog ? new AccessLog() : null, tls, http2);
    }

    /** What the warm-up's requests within the limits get instead of the application's answer. */
    static final HttpHandler WARM_UP_ANSWER = new HttpHandler() {
        private final CompletableFuture<HttpResponse> answer =
                CompletableFuture.completedFuture(
                        HttpResponse.ok("standby warm-up").withHeader("X-Prefork-Warm-Up", "1"));

        @Override
        public CompletionStage<HttpResponse> handle(
                HttpRequest request) {
            return answer;
        }
    };

    public ServingStats stats() {
        return stats;
    }

    /**
     * Starts draining: every later response carries {@code Connection: close} and closes its connection.
     * Connections idle between requests are not closed now (a request may be racing the close); they close at
     * their keep-alive timeout, or at {@link #closeAllConnections()}.
     */
    public void drain() {
        tracker.drain();
    }

    public boolean isDraining() {
        return tracker.isDraining();
    }

    /** Closes every open connection (the graceful timeout has passed). */
    public void closeAllConnections() {
        tracker.closeAll();
    }

    public int openConnections() {
        return tracker.openCount();
    }
}
