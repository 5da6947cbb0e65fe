package dev.prefork.worker;

/**
 * Answers one HTTP request on a handler thread, where blocking is allowed (JDBC, a blocking HTTP client,
 * {@code Thread.sleep}). It never runs on an event loop: turn it into an {@link HttpHandler} with
 * {@link WorkerContext#blocking(BlockingHttpHandler)}, which runs it on the worker's {@code --threads} pool
 * (N platform threads, or one virtual thread per request). An exception answers 500.
 *
 * <p>The handler may be interrupted: when {@code --request-timeout} passes, the request is answered 503 and its
 * thread interrupted (blocking JDK calls then throw), so a stuck call does not hold a pool thread for ever if it
 * honours interrupts.
 */
@FunctionalInterface
public interface BlockingHttpHandler {
    HttpResponse handle(HttpRequest request) throws Exception;
}
