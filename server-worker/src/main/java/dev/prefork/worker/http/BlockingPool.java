package dev.prefork.worker.http;

import dev.prefork.worker.BlockingHttpHandler;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The worker's handler threads ({@code --threads}): N platform threads sharing a queue (Gunicorn's gthread), or
 * one virtual thread per request. Admission is bounded by one semaphore: platform, N running + {@code queue}
 * waiting; virtual, {@code queue} in flight. A request beyond it is answered 503 at once instead of queueing
 * without bound (a queue longer than the clients' patience only serves requests nobody waits for any more).
 * Thread-safe.
 */
public final class BlockingPool implements AutoCloseable {
    private static final CompletableFuture<HttpResponse> POOL_FULL = CompletableFuture.completedFuture(
            HttpResponse.text(503, "503 Service Unavailable: all handler threads are busy\n")
                    .withHeader("Retry-After", "1"));

    private final ExecutorService executor;
    private final Semaphore admissions;
    private final String description;
    /** Counts the requests refused for a full pool; the heartbeat carries the count to the master's metrics. */
    private final ServingStats stats;

    private BlockingPool(ExecutorService executor, int admissions, String description, ServingStats stats) {
        this.executor = executor;
        this.admissions = new Semaphore(admissions);
        this.description = description;
        this.stats = stats;
    }

    /**
     * @param threads {@code 0} (none: returns null), a thread count, or {@code virtual}
     * @param queue   requests that may wait for a thread (virtual: run at once)
     * @param stats   the worker's counters, where each request refused for a full pool is counted
     * @throws IllegalStateException when {@code virtual} is asked on a Java without virtual threads
     */
    public static BlockingPool create(String threads, int queue, ServingStats stats) {
        if ("virtual".equals(threads)) {
            return new BlockingPool(virtualThreadPerTask(), queue, "one virtual thread per request, at most "
                    + queue + " in flight", stats);
        }
        int n = Integer.parseInt(threads);
        if (n == 0) {
            return null;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n, new DefaultThreadFactory("prefork-handler", true));
        return new BlockingPool(pool, n + queue, n + " handler threads, " + queue + " may wait", stats);
    }

    /**
     * {@code Executors.newVirtualThreadPerTaskExecutor()}, public API since Java 21, looked up at run time
     * because this code is compiled for Java 17.
     */
    private static ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("--threads virtual needs Java 21 or newer; this worker runs Java "
                    + Runtime.version() + ": run Prefork with Java 21+ or give a thread count", e);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create the virtual-thread executor: " + t, t);
        }
    }

    /** A handler that runs {@code handler} on these threads; see {@link dev.prefork.worker.WorkerContext#blocking}. */
    HttpHandler handler(BlockingHttpHandler handler) {
        return request -> {
            if (!admissions.tryAcquire()) {
                stats.threadsFull();
                return POOL_FULL;
            }
            Call call = new Call();
            try {
                call.task = executor.submit(() -> {
                    try {
                        call.complete(handler.handle(request));
                    } catch (Throwable t) {
                        call.completeExceptionally(t);
                    } finally {
                        admissions.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                admissions.release();
                stats.threadsFull();
                return POOL_FULL;
            }
            return call;
        };
    }

    @Override
    public String toString() {
        return description;
    }

    /** Stops the threads; running handlers are interrupted. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pending answer whose cancellation (at the request timeout) interrupts the handler's thread. */
    private static final class Call extends CompletableFuture<HttpResponse> {
        volatile Future<?> task;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> t = task;
            if (cancelled && t != null) {
                t.cancel(true);
            }
            return cancelled;
        }
    }
}
