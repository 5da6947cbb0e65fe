package dev.prefork.worker.runtime;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The application the worker tests serve: a few endpoints like the example's. */
public class TestApp implements Application {
    private volatile WorkerContext context;

    @Override
    public void init(WorkerContext context) {
        this.context = context;
    }

    @Override
    public HttpHandler handler() {
        return request -> {
            switch (request.path()) {
                case "/":
                    return CompletableFuture.completedFuture(HttpResponse.ok("hello"));
                case "/whoami":
                    return CompletableFuture.completedFuture(HttpResponse.ok(context.workerId() + " " + context.pid()));
                case "/sleep": {
                    CompletableFuture<HttpResponse> done = new CompletableFuture<>();
                    request.eventLoop().schedule(() -> done.complete(HttpResponse.ok("slept")), millis(request),
                            TimeUnit.MILLISECONDS);
                    return done;
                }
                case "/burn": {
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis(request));
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                    return CompletableFuture.completedFuture(HttpResponse.ok("burned"));
                }
                case "/echo":
                    return CompletableFuture.completedFuture(HttpResponse.bytes(200, "application/octet-stream",
                            request.body()));
                default:
                    return CompletableFuture.completedFuture(HttpResponse.text(404, "not found"));
            }
        };
    }

    private static long millis(HttpRequest request) {
        return Long.parseLong(request.queryParameter("ms"));
    }

    /** An application whose init fails, as one that cannot reach its database would. */
    public static final class FailingInit extends TestApp {
        @Override
        public void init(WorkerContext context) {
            throw new IllegalStateException("database unreachable");
        }
    }
}
