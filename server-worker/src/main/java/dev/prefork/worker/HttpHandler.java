package dev.prefork.worker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers one HTTP request. Called on the event loop thread of the connection; must not block it.
 * Return {@link CompletableFuture#completedFuture} for an immediate answer (the fast path), or a stage that
 * completes later, on any thread. An exception, a {@code null} stage or a stage failing answers 500.
 */
@FunctionalInterface
public interface HttpHandler {
    CompletionStage<HttpResponse> handle(HttpRequest request);
}
