package dev.prefork.worker.http;

import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of the application's handler, shared by HTTP/1 connections and HTTP/2 streams: a throwing, null or
 * failed answer becomes a 500, an answer later than {@code --request-timeout} becomes the protocol's
 * {@link RequestTimeout} answer (and the handler's future is cancelled, which interrupts a blocking handler's
 * thread), and exactly one answer is delivered, on the channel's event loop (at once when the handler completed
 * synchronously). A result that comes after the timeout answer is dropped.
 */
final class HandlerCall {
    private static final Logger log = LoggerFactory.getLogger(HandlerCall.class);
    /** Immutable, so built once for every failed handler. */
    static final HttpResponse INTERNAL_ERROR = HttpResponse.text(500, "500 Internal Server Error\n");

    /** Receives the answer on the event loop, once. */
    interface Responder {
        void respond(HttpResponse response);
    }

    private final HttpRequest request;
    private final Channel channel;
    private final Responder responder;
    /** Touched on the event loop only. */
    private boolean answered;
    private ScheduledFuture<?> timer;

    private HandlerCall(HttpRequest request, Channel channel, Responder responder) {
        this.request = request;
        this.channel = channel;
        this.responder = responder;
    }

    /**
     * On {@code channel}'s event loop (an HTTP/1 connection or an HTTP/2 stream).
     */
    static void invoke(HttpHandler handler, HttpRequest request, Channel channel, RequestTimeout timeout,
                       Responder responder) {
        HandlerCall call = new HandlerCall(request, channel, responder);
        CompletionStage<HttpResponse> stage;
        try {
            stage = handler.handle(request);
        } catch (Throwable t) {
            call.answer(call.internalError(t));
            return;
        }
        if (stage == null) {
            call.answer(call.internalError(new NullPointerException("the handler returned null")));
            return;
        }
        if (stage instanceof CompletableFuture<HttpResponse> future && future.isDone()
                && !future.isCompletedExceptionally()) {
            call.answer(call.orError(future.join()));
            return;
        }
        EventExecutor loop = channel.eventLoop();
        if (timeout.on()) {
            call.timer = loop.schedule(() -> call.timedOut(timeout, stage), timeout.millis(), TimeUnit.MILLISECONDS);
        }
        stage.whenComplete((response, error) -> {
            if (loop.inEventLoop()) {
                call.completed(response, error);
            } else {
                loop.execute(() -> call.completed(response, error));
            }
        });
    }

    private void completed(HttpResponse response, Throwable error) {
        if (!answered) {
            answer(error != null ? internalError(error) : orError(response));
        }
    }

    private void timedOut(RequestTimeout timeout, CompletionStage<HttpResponse> stage) {
        if (answered) {
            return;
        }
        timeout.stats().requestTimedOut();
        log.warn("request {} {} from {} not answered within --request-timeout {} ms; answering 503 and {}",
                request.method(), request.uri(), channel.remoteAddress(), timeout.millis(), timeout.consequence());
        answer(timeout.response());
        try {
            // Interrupts a blocking handler's thread (BlockingPool); a plain CompletableFuture just completes.
            stage.toCompletableFuture().cancel(true);
        } catch (UnsupportedOperationException notCancellable) {
            // A stage that is not a CompletableFuture: its late result is dropped in completed().
        }
    }

    private void answer(HttpResponse response) {
        answered = true;
        if (timer != null) {
            timer.cancel(false);
        }
        responder.respond(response);
    }

    private HttpResponse orError(HttpResponse response) {
        return response != null ? response
                : internalError(new NullPointerException("the handler completed with a null response"));
    }

    private HttpResponse internalError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.error("handler failed on {} {}; answering 500", request.method(), request.uri(), cause);
        return INTERNAL_ERROR;
    }
}
