package dev.prefork.worker.http;

import dev.prefork.core.segment.SegmentBuffer;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The HTTP pipeline on an embedded channel: exchanges, limits, timeouts (fake time), drain and counters. */
class HttpPipelineTest {
    private static final HttpLimits LIMITS = new HttpLimits(200, 10, 100, 1000, 1_000, 3_000);

    private final Map<String, CompletableFuture<HttpResponse>> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpHandler handler = request -> {
        switch (request.path()) {
            case "/later":
                return pending.computeIfAbsent(request.uri(), k -> new CompletableFuture<>());
            case "/echo":
                return CompletableFuture.completedFuture(HttpResponse.bytes(200, "text/plain", request.body()));
            case "/throw":
                throw new IllegalStateException("boom");
            case "/null":
                return null;
            case "/fail":
                return CompletableFuture.failedFuture(new IllegalStateException("async boom"));
            case "/bye":
                return CompletableFuture.completedFuture(HttpResponse.ok("bye").withHeader("Connection", "close"));
            case "/inject":
                return CompletableFuture.completedFuture(HttpResponse.ok("x").withHeader("X-Bad", "a\r\nSet-Cookie: y"));
            default:
                return CompletableFuture.completedFuture(HttpResponse.ok("path " + request.path()
                        + (request.queryParameter("q") == null ? "" : " q=" + request.queryParameter("q"))));
        }
    };
    private ServingStats stats = new ServingStats();
    private ConnectionTracker tracker;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel() {
        return channel(null);
    }

    private EmbeddedChannel channel(AccessLog accessLog) {
        tracker = tracker == null ? new ConnectionTracker(stats) : tracker;
        Application app = () -> handler;
        WorkerContext context = new ServingWorkerContext(1, 42, null, tracker);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HttpChannelInitializer(app, handler, context, LIMITS, stats, tracker, accessLog, null,
                Http2Options.defaults()));
        channels.add(ch);
        return ch;
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, CharsetUtil.ISO_8859_1));
    }

    static String output(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(CharsetUtil.ISO_8859_1));
            b.release();
        }
        return out.toString().replaceAll("date: [^\r]+\r\n", "");
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
    }

    @Test
    void answersWithKeepAliveAndTheServerHeaders() {
        EmbeddedChannel ch = channel();
        send(ch, get("/a?q=1%202"));
        assertThat(output(ch)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 13\r\n\r\npath /a q=1 2");
        send(ch, get("/b"));
        assertThat(output(ch)).endsWith("\r\n\r\npath /b");
        assertThat(ch.isOpen()).isTrue();
    }

    private static final String UPGRADE_H2C = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n";

    @Test
    void upgradesAValidH2cRequestToHttp2() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /up HTTP/1.1\r\nHost: t\r\n" + UPGRADE_H2C + "\r\n");
        ch.runPendingTasks();
        String out = output(ch);
        // The answer on stream 1 is checked end to end with curl (Http2IT).
        assertThat(out).startsWith("HTTP/1.1 101 Switching Protocols\r\n").contains("upgrade: h2c");
        assertThat(stats.requestsTotal()).as("the HTTP/1 handler never saw it").isZero();
    }

    /** The Upgrade handler sits before the HTTP/1 checks: it must not take a request they refuse. */
    @Test
    void refusesAnUpgradeRequestWithoutHostWith400() {
        EmbeddedChannel ch = channel();
        send(ch, "GET / HTTP/1.1\r\n" + UPGRADE_H2C + "\r\n");
        assertThat(output(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void thePrefaceSwitchesToHttp2AndAnythingElseStaysOnHttp1() {
        EmbeddedChannel h2 = channel();
        send(h2, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assertThat(h2.pipeline().get(Http2ConnectionControl.class)).isNotNull();
        assertThat(h2.pipeline().get(RequestDecoder.class)).isNull();
        assertThat(output(h2)).doesNotContain("HTTP/1.1").isNotEmpty(); // the server's SETTINGS frame
        EmbeddedChannel h1 = channel();
        send(h1, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
        assertThat(output(h1)).startsWith("HTTP/1.1 505");
    }

    @Test
    void sendsADateHeader() {
        EmbeddedChannel ch = channel();
        send(ch, get("/"));
        Object first = ch.readOutbound();
        String head = ((ByteBuf) first).toString(CharsetUtil.ISO_8859_1);
        ((ByteBuf) first).release();
        assertThat(head).containsPattern("date: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");
    }

    @Test
    void answersPipelinedRequestsInOrderWhenTheFirstAnswersLater() {
        EmbeddedChannel ch = channel();
        send(ch, get("/later?1") + get("/now"));
        assertThat(output(ch)).isEmpty();
        assertThat(stats.requestsInFlight()).isEqualTo(1);
        pending.get("/later?1").complete(HttpResponse.ok("first"));
        ch.runPendingTasks();
        String out = output(ch);
        assertThat(out).contains("first").contains("path /now");
        assertThat(out.indexOf("first")).isLessThan(out.indexOf("path /now"));
        assertThat(stats.requestsTotal()).isEqualTo(2);
        assertThat(stats.requestsInFlight()).isZero();
    }

    @Test
    void honoursConnectionCloseAndHttp10KeepAlive() {
        EmbeddedChannel ch = channel();
        send(ch, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(output(ch)).contains("connection: keep-alive\r\n");
        assertThat(ch.isOpen()).isTrue();
        send(ch, "GET / HTTP/1.0\r\n\r\n");
        assertThat(output(ch)).contains("connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();

        EmbeddedChannel ch2 = channel();
        send(ch2, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(output(ch2)).contains("connection: close\r\n");
        assertThat(ch2.isOpen()).isFalse();
    }

    @Test
    void anApplicationsConnectionCloseClosesTheConnection() {
        EmbeddedChannel ch = channel();
        send(ch, get("/bye"));
        assertThat(output(ch).toLowerCase()).containsOnlyOnce("connection: close\r\n").endsWith("bye");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void rejectsWhatExceedsTheLimitsAndCloses() {
        assertRejected(get("/" + "x".repeat(300)), "414 Request-URI Too Long");
        StringBuilder fields = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 11; i++) {
            fields.append("X-").append(i).append(": v\r\n");
        }
        assertRejected(fields + "\r\n", "431 Request Header Fields Too Large");
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Long: " + "v".repeat(95) + "\r\n\r\n", "431 Request Header Fields Too Large");
        assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", "413 Request Entity Too Large");
        assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "y".repeat(1000)
                + "\r\n1\r\nz\r\n0\r\n\r\n", "413 Request Entity Too Large");
        assertRejected("BLAH\r\n\r\n", "400 Bad Request");
        assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                "400 Bad Request");
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n", "400 Bad Request");
        assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", "417 Expectation Failed");
    }

    private void assertRejected(String request, String status) {
        EmbeddedChannel ch = channel();
        send(ch, request);
        String out = output(ch);
        assertThat(out).as(request.substring(0, Math.min(30, request.length()))).startsWith("HTTP/1.1 " + status + "\r\n")
                .contains("connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void acceptsABodyAtTheLimitAndAChunkedBody() {
        EmbeddedChannel ch = channel();
        String body = "b".repeat(1000);
        send(ch, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + body);
        assertThat(output(ch)).endsWith("\r\n\r\n" + body);
        send(ch, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        assertThat(output(ch)).endsWith("content-length: 5\r\n\r\nabcde");
    }

    @Test
    void answersExpectContinueBeforeTheBody() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(output(ch)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        send(ch, "hello");
        assertThat(output(ch)).startsWith("HTTP/1.1 200 OK").endsWith("hello");
    }

    @Test
    void answersHeadWithoutABody() {
        EmbeddedChannel ch = channel();
        send(ch, "HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n" + get("/y"));
        String out = output(ch);
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 7\r\n\r\nHTTP/1.1");
        assertThat(out).endsWith("path /y");
    }

    @Test
    void answers500WhenTheHandlerFailsAndKeepsTheConnection() {
        EmbeddedChannel ch = channel();
        for (String path : List.of("/throw", "/null", "/fail", "/inject")) {
            send(ch, get(path));
            String out = output(ch);
            assertThat(out).as(path).startsWith("HTTP/1.1 500 Internal Server Error").doesNotContain("Set-Cookie");
        }
        assertThat(ch.isOpen()).isTrue();
        assertThat(stats.requestsTotal()).isEqualTo(4);
    }

    @Test
    void closesAnIdleKeepAliveConnectionAfterTheKeepAliveTimeout() {
        EmbeddedChannel ch = channel();
        send(ch, get("/"));
        output(ch);
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesAConnectionThatDoesNotSendAWholeHeadInTime() {
        EmbeddedChannel silent = channel();
        silent.advanceTimeBy(2_999, TimeUnit.MILLISECONDS);
        silent.runScheduledPendingTasks();
        assertThat(silent.isOpen()).as("the header timeout, not the shorter keep-alive, applies first").isTrue();
        silent.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        silent.runScheduledPendingTasks();
        assertThat(silent.isOpen()).isFalse();

        EmbeddedChannel slow = channel();
        send(slow, get("/"));
        output(slow);
        slow.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        send(slow, "GET / HTTP/1.1\r\nHost");
        slow.advanceTimeBy(2_000, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertThat(slow.isOpen()).as("a started head gets the header timeout").isTrue();
        slow.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertThat(slow.isOpen()).isFalse();
    }

    @Test
    void noTimeoutWhileTheApplicationWorks() {
        EmbeddedChannel ch = channel();
        send(ch, get("/later?long"));
        ch.advanceTimeBy(60, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        pending.get("/later?long").complete(HttpResponse.ok("done"));
        assertThat(output(ch)).endsWith("done");
        ch.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void drainAnswersEveryConnectionWithConnectionCloseAndLeavesIdleOnesToTheirKeepAliveTimeout() {
        EmbeddedChannel idle = channel();
        send(idle, get("/"));
        output(idle);
        EmbeddedChannel busy = channel();
        send(busy, get("/later?drain"));
        EmbeddedChannel fresh = channel();
        assertThat(stats.connectionsOpen()).isEqualTo(3);

        tracker.drain();
        for (EmbeddedChannel ch : List.of(idle, busy, fresh)) {
            ch.runPendingTasks();
        }
        assertThat(idle.isOpen()).as("an idle connection is not closed under a client that may be sending").isTrue();
        assertThat(busy.isOpen()).isTrue();
        assertThat(fresh.isOpen()).as("a connection that has not sent its request yet is served once").isTrue();

        pending.get("/later?drain").complete(HttpResponse.ok("finished"));
        busy.runPendingTasks();
        assertThat(output(busy)).contains("connection: close\r\n").endsWith("finished");
        assertThat(busy.isOpen()).isFalse();

        send(fresh, get("/"));
        assertThat(output(fresh)).contains("connection: close\r\n");
        assertThat(fresh.isOpen()).isFalse();

        idle.advanceTimeBy(LIMITS.keepAliveMillis() + 1, TimeUnit.MILLISECONDS);
        idle.runScheduledPendingTasks();
        assertThat(idle.isOpen()).as("closed at its keep-alive timeout").isFalse();
        assertThat(stats.connectionsOpen()).isZero();
        assertThat(tracker.openCount()).isZero();
    }

    @Test
    void anIdleConnectionThatSendsDuringTheDrainGetsItsAnswerWithConnectionClose() {
        EmbeddedChannel idle = channel();
        send(idle, get("/"));
        assertThat(output(idle)).doesNotContain("connection: close");
        tracker.drain();
        send(idle, get("/"));
        assertThat(output(idle)).contains("connection: close\r\n").startsWith("HTTP/1.1 200");
        assertThat(idle.isOpen()).isFalse();
    }

    @Test
    void signalsTheRecycleThresholdOnce() {
        AtomicInteger signals = new AtomicInteger();
        stats = new ServingStats(SegmentBuffer.inMemory(), 3, signals::incrementAndGet);
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 5; i++) {
            send(ch, get("/"));
            output(ch);
            assertThat(signals.get()).isEqualTo(i < 2 ? 0 : 1);
        }
    }

    @Test
    void writesOneAccessLogLinePerRequest() {
        Logger logger = (Logger) LoggerFactory.getLogger("test.access");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        EmbeddedChannel ch = channel(new AccessLog(logger));
        send(ch, get("/a?b=c") + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz");
        output(ch);
        assertThat(appender.list).hasSize(2);
        assertThat(appender.list.get(0).getFormattedMessage())
                .matches("\\S+ - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] \"GET /a\\?b=c HTTP/1.1\" 200 7 \\d+\\.\\d{3}");
        assertThat(appender.list.get(1).getFormattedMessage()).contains("\"POST /echo HTTP/1.1\" 200 3 ");
    }
}
