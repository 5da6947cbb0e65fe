package dev.prefork.examples;

import dev.prefork.worker.AppCounter;
import dev.prefork.worker.Application;
import dev.prefork.worker.WorkerContext;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The bundled example application (see the contract): {@code GET /}, {@code /sleep?ms=N}, {@code /burn?ms=N},
 * {@code POST /echo}, {@code /block?ms=N} and, when enabled, {@code /crash}. Every response carries
 * {@code X-Worker-Pid}.
 *
 * <p>{@code /block} sleeps with {@code Thread.sleep}: a stand-in for a JDBC call. With {@code --threads} it is
 * served by a {@link dev.prefork.worker.BlockingHttpHandler} on the handler threads; without, it blocks the event
 * loop on purpose, to show (and benchmark) what that costs every other connection of the worker.
 */
public final class ExampleApp implements Application {
    /** System property that enables {@code GET /crash}; ExampleServer sets it for {@code --example-crash-endpoint}. */
    public static final String CRASH_ENDPOINT_PROPERTY = "prefork.example.crashEndpoint";
    /** System property that enables {@code GET /leak?mb=N}; ExampleServer sets it for {@code --example-leak-endpoint}. */
    public static final String LEAK_ENDPOINT_PROPERTY = "prefork.example.leakEndpoint";
    static final String PID_HEADER = "X-Worker-Pid";
    /** Longest sleep or burn a request may ask for. */
    static final long MAX_MILLIS = 600_000;

    private final String pid = Long.toString(ProcessHandle.current().pid());
    private final boolean crashEndpoint = Boolean.parseBoolean(System.getProperty(CRASH_ENDPOINT_PROPERTY));
    private final boolean leakEndpoint = Boolean.parseBoolean(System.getProperty(LEAK_ENDPOINT_PROPERTY));
    /** What {@code /leak} keeps: live heap that no GC can free, as a real leak would. */
    private final java.util.List<byte[]> leaked = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Immutable responses are built once and reused.
    private final CompletableFuture<HttpResponse> hello =
            CompletableFuture.completedFuture(withPid(HttpResponse.ok("Hello, World!")));
    private final CompletableFuture<HttpResponse> notFound =
            CompletableFuture.completedFuture(withPid(HttpResponse.text(404, "404 Not Found\n")));
    /** {@code /block} on the handler threads, or null without {@code --threads}. */
    private HttpHandler blocking;
    /** {@code GET /count}: a named counter in the worker's segment, summed by the master. */
    private AppCounter counted;

    @Override
    public void init(WorkerContext context) {
        blocking = context.hasHandlerThreads() ? context.blocking(this::block) : null;
        counted = context.counter("example_counted");
    }

    @Override
    public HttpHandler handler() {
        return this::handle;
    }

    CompletionStage<HttpResponse> handle(HttpRequest request) {
        String method = request.method();
        boolean get = "GET".equals(method) || "HEAD".equals(method);
        switch (request.path()) {
            case "/":
                return get ? hello : notFound;
            case "/count":
                if (!get) {
                    return notFound;
                }
                counted.increment();
                return hello;
            case "/sleep":
                return get ? sleep(request) : notFound;
            case "/burn":
                return get ? burn(request) : notFound;
            case "/block":
                if (!get) {
                    return notFound;
                }
                return blocking != null ? blocking.handle(request) : blockOnEventLoop(request);
            case "/echo":
                return "POST".equals(method) ? echo(request) : notFound;
            case "/leak":
                if (get && leakEndpoint) {
                    return leak(request);
                }
                return notFound;
            case "/crash":
                if (get && crashEndpoint) {
                    Runtime.getRuntime().halt(1);
                }
                return notFound;
            default:
                return notFound;
        }
    }

    /** Keeps {@code mb} MiB (1..64) of heap reachable for good, then asks for a GC so heap-after-GC shows it. */
    private CompletionStage<HttpResponse> leak(HttpRequest request) {
        String mb = request.queryParameter("mb");
        int n;
        try {
            n = mb == null ? 1 : Integer.parseInt(mb);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 64) {
            return CompletableFuture.completedFuture(withPid(HttpResponse.text(400, "mb must be 1..64\n")));
        }
        for (int i = 0; i < n; i++) {
            leaked.add(new byte[1 << 20]);
        }
        System.gc();
        return CompletableFuture.completedFuture(withPid(HttpResponse.ok("leaked " + leaked.size() + " MiB\n")));
    }

    /** Waits on the event loop's timer: the loop keeps serving meanwhile. */
    private CompletionStage<HttpResponse> sleep(HttpRequest request) {
        long ms = millis(request);
        if (ms < 0) {
            return badMillis();
        }
        CompletableFuture<HttpResponse> done = new CompletableFuture<>();
        Runnable wake = () -> done.complete(withPid(HttpResponse.ok("slept " + ms + " ms\n")));
        if (request.eventLoop() != null) {
            request.eventLoop().schedule(wake, ms, TimeUnit.MILLISECONDS);
        } else {
            // A request built by hand (unit tests) has no event loop.
            CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS).execute(wake);
        }
        return done;
    }

    /** Spins on the event-loop thread that received the request: a model of a handler that blocks. */
    private CompletionStage<HttpResponse> burn(HttpRequest request) {
        long ms = millis(request);
        if (ms < 0) {
            return badMillis();
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long spins = 0;
        while (System.nanoTime() - end < 0) {
            spins++;
        }
        return CompletableFuture.completedFuture(withPid(HttpResponse.ok("burned " + ms + " ms (" + spins + " spins)\n")));
    }

    /** Blocks the calling thread: a handler thread with --threads, else (deliberately) the event loop. */
    private HttpResponse block(HttpRequest request) throws InterruptedException {
        long ms = millis(request);
        if (ms < 0) {
            return badMillis().toCompletableFuture().join();
        }
        Thread.sleep(ms);
        return withPid(HttpResponse.ok("blocked " + ms + " ms\n"));
    }

    private CompletionStage<HttpResponse> blockOnEventLoop(HttpRequest request) {
        try {
            return CompletableFuture.completedFuture(block(request));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<HttpResponse> echo(HttpRequest request) {
        String type = request.header("content-type");
        return CompletableFuture.completedFuture(withPid(HttpResponse.bytes(200,
                type != null ? type : "application/octet-stream", request.body())));
    }

    /** The {@code ms} parameter, or -1 when missing or out of range. */
    private static long millis(HttpRequest request) {
        String value = request.queryParameter("ms");
        if (value == null) {
            return -1;
        }
        try {
            long ms = Long.parseLong(value.trim());
            return ms >= 0 && ms <= MAX_MILLIS ? ms : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private CompletionStage<HttpResponse> badMillis() {
        return CompletableFuture.completedFuture(withPid(HttpResponse.text(400,
                "give ms as a whole number of milliseconds from 0 to " + MAX_MILLIS + ", e.g. ?ms=100\n")));
    }

    private HttpResponse withPid(HttpResponse response) {
        return response.withHeader(PID_HEADER, pid);
    }
}
