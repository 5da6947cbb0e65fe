package dev.prefork.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpRequest;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.CharsetUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** --threads (BlockingPool through WorkerContext.blocking) and --request-timeout on an embedded channel. */
class BlockingHandlersTest {
    private static final HttpLimits WITH_TIMEOUT = new HttpLimits(200, 10, 100, 1000, 60_000, 60_000, 500);

    private final ServingStats stats = new ServingStats();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<BlockingPool> pools = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        pools.forEach(BlockingPool::close);
    }

    private EmbeddedChannel channel(HttpHandler handler, HttpLimits limits, BlockingPool pool) {
        ConnectionTracker tracker = new ConnectionTracker(stats);
        Application app = () -> handler;
        WorkerContext context = new ServingWorkerContext(1, 42, null, tracker, pool);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HttpChannelInitializer(app, handler, context, limits, stats, tracker, null, null,
                Http2Options.defaults()));
        channels.add(ch);
        return ch;
    }

    private BlockingPool pool(String threads, int queue) {
        BlockingPool pool = BlockingPool.create(threads, queue, stats);
        pools.add(pool);
        return pool;
    }

    private static WorkerContext context(BlockingPool pool) {
        return new ServingWorkerContext(1, 42, null, new ConnectionTracker(new ServingStats()), pool);
    }

    private static void send(EmbeddedChannel ch, String path) {
        ch.writeInbound(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n", CharsetUtil.ISO_8859_1));
    }

    private static String output(EmbeddedChannel ch) {
        return HttpPipelineTest.output(ch);
    }

    /** Runs the channel's tasks until it has written something (a pool thread completes the answer). */
    private static String awaitOutput(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            ch.runPendingTasks();
            out.append(output(ch));
            return out.length() > 0;
        });
        return out.toString();
    }

    @Test
    void aBlockingHandlerRunsOnAHandlerThreadNotTheEventLoop() {
        WorkerContext context = context(pool("2", 4));
        AtomicReference<String> thread = new AtomicReference<>();
        HttpHandler handler = context.blocking(request -> {
            thread.set(Thread.currentThread().getName());
            Thread.sleep(20);
            return HttpResponse.ok("blocked");
        });
        EmbeddedChannel ch = channel(handler, HttpLimits.defaults(), null);
        send(ch, "/");
        assertThat(awaitOutput(ch)).startsWith("HTTP/1.1 200 OK").endsWith("blocked");
        assertThat(thread.get()).startsWith("prefork-handler");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aFullPoolAnswers503AtOnceWithRetryAfter() throws Exception {
        WorkerContext context = context(pool("1", 1));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        HttpHandler handler = context.blocking(request -> {
            running.countDown();
            release.await();
            return HttpResponse.ok("done");
        });
        HttpRequest request = HttpRequest.of("GET", "/", new io.netty.handler.codec.http.DefaultHttpHeaders(),
                new byte[0], null);
        CompletionStage<HttpResponse> first = handler.handle(request);
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        CompletionStage<HttpResponse> queued = handler.handle(request);
        CompletableFuture<HttpResponse> rejected = handler.handle(request).toCompletableFuture();

        assertThat(rejected).isDone();
        assertThat(rejected.join().status()).isEqualTo(503);
        assertThat(rejected.join().header("Retry-After")).isEqualTo("1");
        assertThat(stats.threadsFullTotal()).as("refusals counted for the heartbeat").isEqualTo(1);
        release.countDown();
        assertThat(first.toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(queued.toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        // Permits come back: the next request is admitted again.
        assertThat(handler.handle(request).toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(stats.threadsFullTotal()).isEqualTo(1);
    }

    @Test
    void withoutThreadsABlockingHandlerIsRefusedNamingTheOption() {
        WorkerContext context = context(null);
        assertThat(context.hasHandlerThreads()).isFalse();
        assertThatThrownBy(() -> context.blocking(request -> HttpResponse.ok("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("--threads");
    }

    @Test
    void aRequestPastTheTimeoutIsAnswered503ClosedAndCounted() {
        CompletableFuture<HttpResponse> never = new CompletableFuture<>();
        EmbeddedChannel ch = channel(request -> request.path().equals("/slow") ? never
                : CompletableFuture.completedFuture(HttpResponse.ok("fast")), WITH_TIMEOUT, null);
        send(ch, "/");
        assertThat(output(ch)).endsWith("fast");
        send(ch, "/slow");
        ch.advanceTimeBy(499, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(output(ch)).isEmpty();
        assertThat(stats.requestTimeoutsTotal()).isZero();

        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        String out = output(ch);
        assertThat(out).startsWith("HTTP/1.1 503 Service Unavailable").contains("connection: close")
                .endsWith("request timeout\n");
        assertThat(ch.isOpen()).isFalse();
        assertThat(stats.requestTimeoutsTotal()).isEqualTo(1);
        assertThat(stats.requestsInFlight()).isZero();
        assertThat(never).isCancelled();
    }

    @Test
    void anAnswerInTimeCancelsTheTimer() {
        CompletableFuture<HttpResponse> later = new CompletableFuture<>();
        EmbeddedChannel ch = channel(request -> later, WITH_TIMEOUT, null);
        send(ch, "/");
        later.complete(HttpResponse.ok("in time"));
        ch.runPendingTasks();
        assertThat(output(ch)).endsWith("in time");
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(output(ch)).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        assertThat(stats.requestTimeoutsTotal()).isZero();
    }

    @Test
    void theTimeoutInterruptsABlockingHandlerAndFreesItsThread() throws Exception {
        WorkerContext context = context(pool("1", 0));
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        HttpHandler handler = context.blocking(request -> {
            if (request.path().equals("/stuck")) {
                running.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    throw e;
                }
            }
            return HttpResponse.ok("free");
        });
        EmbeddedChannel ch = channel(handler, WITH_TIMEOUT, null);
        send(ch, "/stuck");
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        ch.advanceTimeBy(501, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(output(ch)).startsWith("HTTP/1.1 503");
        await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);

        // The one thread (queue 0) serves the next connection.
        EmbeddedChannel next = channel(handler, WITH_TIMEOUT, null);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            send(next, "/");
            String out = awaitOutput(next);
            return out.endsWith("free");
        });
    }

    @Test
    void virtualNeedsJava21() {
        if (Runtime.version().feature() >= 21) {
            WorkerContext context = context(pool("virtual", 8));
            AtomicBoolean virtual = new AtomicBoolean();
            HttpHandler handler = context.blocking(request -> {
                virtual.set(Thread.currentThread().toString().startsWith("VirtualThread"));
                return HttpResponse.ok("v");
            });
            EmbeddedChannel ch = channel(handler, HttpLimits.defaults(), null);
            send(ch, "/");
            assertThat(awaitOutput(ch)).endsWith("v");
            assertThat(virtual).isTrue();
        } else {
            assertThatThrownBy(() -> BlockingPool.create("virtual", 8, stats)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Java 21").hasMessageContaining(Runtime.version().toString());
        }
    }

}
