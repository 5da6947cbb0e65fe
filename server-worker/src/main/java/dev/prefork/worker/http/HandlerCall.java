package dev.prefork.worker.http;

import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of the application's handler, shared by HTTP/1 connections and HTTP/2 streams: a throwing, null or
 * failed answer becomes a 500, and the answer is delivered on the connection's event loop (at once when the
 * handler completed synchronously).
 */
final class HandlerCall {
    private static final Logger log = LoggerFactory.getLogger(HandlerCall.class);
    /** Immutable, so built once for every failed handler. */
    static final HttpResponse INTERNAL_ERROR = HttpResponse.text(500, "500 Internal Server Error\n");

    /** Receives the answer on the event loop. */
    interface Responder {
        void respond(HttpResponse response);
    }

    private HandlerCall() {
    }

    static void invoke(HttpHandler handler, HttpRequest request, EventExecutor loop, Responder responder) {
        CompletionStage<HttpResponse> stage;
        try {
            stage = handler.handle(request);
        } catch (Throwable t) {
            responder.respond(internalError(request, t));
            return;
        }
        if (stage == null) {
            responder.respond(internalError(request, new NullPointerException("the handler returned null")));
            return;
        }
        if (stage instanceof CompletableFuture<HttpResponse> future && future.isDone()
                && !future.isCompletedExceptionally()) {
            responder.respond(orError(request, future.join()));
            return;
        }
        stage.whenComplete((response, error) -> {
            if (loop.inEventLoop()) {
                responder.respond(error != null ? internalError(request, error) : orError(request, response));
            } else {
                loop.execute(() -> responder.respond(
                        error != null ? internalError(request, error) : orError(request, response)));
            }
        });
    }

    private static HttpResponse orError(HttpRequest request, HttpResponse response) {
        return response != null ? response
                : internalError(request, new NullPointerException("the handler completed with a null response"));
    }

    private static HttpResponse internalError(HttpRequest request, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.error("handler failed on {} {}; answering 500", request.method(), request.uri(), cause);
        return INTERNAL_ERROR;
    }
}
