package dev.prefork.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.CharsetUtil;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request heads against RFC 9112/9110 and Gunicorn's limits, and chunked bodies against the chunk-size line and
 * trailer limits, each sent whole, one byte per write and split at seeded random points: the answer must be the
 * expected one and the same bytes for every split.
 */
class HttpParsingTest {
    /** Request line at most 40 octets, at most 4 fields, a field line at most 24 octets with its CRLF. */
    private static final HttpLimits LIMITS = new HttpLimits(40, 4, 24, 1000, 1_000, 3_000);
    /** As {@link #LIMITS} but a field line at most 30 octets: {@code Transfer-Encoding: chunked} takes 28. */
    private static final HttpLimits CHUNKED_LIMITS = new HttpLimits(40, 4, 30, 1000, 1_000, 3_000);
    private static final long SEED = Long.getLong("parsing.seed", System.nanoTime());

    private final HttpHandler handler = request -> CompletableFuture.completedFuture(HttpResponse.ok(
            "path " + request.path() + " q " + request.queryParameter("q") + " host " + request.header("host")
                    + " body " + request.bodyText()));

    static Stream<Arguments> cases() {
        String line40 = "GET /" + "x".repeat(26) + " HTTP/1.1"; // 40 octets
        return Stream.of(
                // Limits with Gunicorn's semantics: the request line without CRLF, a field line with it.
                ok(line40 + "\r\nHost: t\r\n\r\n", "path /" + "x".repeat(26) + " "),
                status("GET /" + "x".repeat(27) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
                ok("GET / HTTP/1.1\r\nHost: t\r\nX: " + "v".repeat(19) + "\r\n\r\n", "path / "),
                status("GET / HTTP/1.1\r\nHost: t\r\nX: " + "v".repeat(20) + "\r\n\r\n", 431),
                status("GET / HTTP/1.1\r\nHost: t\r\nX: " + "v".repeat(10) + "\r\n " + "v".repeat(8) + "\r\n\r\n", 431),
                ok("GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", "path / "),
                status("GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431),
                // Host (RFC 9112 §3.2).
                status("GET / HTTP/1.1\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", 400),
                ok("GET / HTTP/1.1\r\nHost: a.b:80\r\n\r\n", "host a.b:80 "),
                ok("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "host [::1]:80 "),
                ok("GET / HTTP/1.1\r\nHost:\r\n\r\n", "host  "),
                ok("GET / HTTP/1.0\r\n\r\n", "path / "),
                status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                // Versions (RFC 9112 §2.3, RFC 9110 §15.6.6).
                status("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
                status("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
                status("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
                status("GET / http/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 400),
                status("GET / HTTP/1\r\nHost: t\r\n\r\n", 400),
                status("GET / HTTP/11.1\r\nHost: t\r\n\r\n", 400),
                ok("GET / HTTP/1.2\r\nHost: t\r\n\r\n", "path / "),
                // Absolute-form (RFC 9112 §3.2.2): routed by its path, its authority is the host.
                ok("GET http://example.com/a?q=b HTTP/1.1\r\nHost: other\r\n\r\n", "path /a q b host example.com "),
                ok("GET HTTPS://example.com HTTP/1.1\r\nHost: x\r\n\r\n", "path / q null host example.com "),
                status("GET http://example.com/a HTTP/1.1\r\n\r\n", 400),
                status("GET http://u@example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                status("GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                status("GET ftp://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                // Request targets (RFC 9112 §3.2).
                status("GET /a\0b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET /a\tb HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET /a\u007fb HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET foo/bar HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET a.b:80 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                ok("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", "path * "),
                ok("CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n\r\n", "path a.b:443 "),
                status("CONNECT /x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                status("GET / HTTP/1.1\r\n Host: t\r\n\r\n", 400),
                status("G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                // Line ends (RFC 9112 §2.2).
                status("GET / HTTP/1.1\nHost: t\n\n", 400),
                ok("\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n", "path / "),
                // 100-continue: to HTTP/1.1 before the body, never to HTTP/1.0 (RFC 9110 §10.1.1).
                Arguments.of("POST /e HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
                        "HTTP/1.1 200 OK", "body hello", "100 Continue"),
                Arguments.of("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", "body hello", "never"));
    }

    /** Chunked bodies, with {@link #CHUNKED_LIMITS}. */
    static Stream<Arguments> chunkedCases() {
        String chunked = "POST /e HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
        int chunkLineLimit = ChunkedBodyScanner.CHUNK_LINE_LIMIT;
        return Stream.of(
                // Chunked bodies: the chunk-size line (size and extensions, without CRLF) at most 4096 octets;
                // trailer fields as head fields. The 42-octet line is where Netty's own limit used to be.
                ok(chunked + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "body hello world"),
                ok(chunked + chunkLine(chunkLineLimit, 5) + "hello\r\n0\r\n\r\n", "body hello"),
                status(chunked + chunkLine(chunkLineLimit + 1, 5) + "hello\r\n0\r\n\r\n", 400),
                status(chunked + "5\r\nhello\r\n" + chunkLine(chunkLineLimit + 1, 0) + "\r\n", 400),
                ok(chunked + chunkLine(42, 5) + "hello\r\n0\r\n\r\n", "body hello"),
                ok(chunked + chunkLine(42, 5) + "hello\r\n" + chunkLine(43, 0) + "\r\n", "body hello"),
                ok(chunked + "5\r\nhello\r\n0\r\nX: " + "v".repeat(25) + "\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
                        "body hello"),
                status(chunked + "5\r\nhello\r\n0\r\nX: " + "v".repeat(26) + "\r\n\r\n", 400),
                status(chunked + "5\r\nhello\r\n0\r\nX: " + "v".repeat(10) + "\r\n " + "v".repeat(14) + "\r\n\r\n",
                        400),
                status(chunked + "5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 400),
                // The next request after a chunked body is a head again, measured as one.
                Arguments.of(chunked + "3\r\nabc\r\n0\r\n\r\nGET /n HTTP/1.1\r\nHost: t\r\n\r\n",
                        "HTTP/1.1 200 OK", "body abc", "connection: close"));
    }

    /** A chunk-size line of {@code octets} octets without its CRLF: the size in hex and one long extension. */
    private static String chunkLine(int octets, int size) {
        String hex = Integer.toHexString(size);
        return hex + ";" + "e".repeat(octets - hex.length() - 1) + "\r\n";
    }

    private static Arguments ok(String request, String bodyPart) {
        return Arguments.of(request, "HTTP/1.1 200 OK", bodyPart, "never");
    }

    private static Arguments status(String request, int status) {
        return Arguments.of(request, "HTTP/1.1 " + status + " ", "connection: close", "never");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void answersTheSameHoweverTheBytesAreSplit(String request, String start, String contains, String absent) {
        assertSameAnswerHoweverSplit(LIMITS, request, start, contains, absent);
    }

    @ParameterizedTest
    @MethodSource("chunkedCases")
    void measuresChunkedBodiesTheSameHoweverTheBytesAreSplit(String request, String start, String contains,
                                                             String absent) {
        assertSameAnswerHoweverSplit(CHUNKED_LIMITS, request, start, contains, absent);
    }

    private void assertSameAnswerHoweverSplit(HttpLimits limits, String request, String start, String contains,
                                              String absent) {
        byte[] bytes = request.getBytes(CharsetUtil.ISO_8859_1);
        String whole = exchange(limits, bytes, new int[] {bytes.length});
        int[] oneByOne = new int[bytes.length];
        java.util.Arrays.fill(oneByOne, 1);
        String byteByByte = exchange(limits, bytes, oneByOne);
        Random random = new Random(SEED ^ request.hashCode());
        int[] randomSplit = new int[bytes.length];
        int parts = 0;
        for (int left = bytes.length; left > 0; parts++) {
            randomSplit[parts] = Math.min(left, 1 + random.nextInt(8));
            left -= randomSplit[parts];
        }
        String randomly = exchange(limits, bytes, java.util.Arrays.copyOf(randomSplit, parts));

        String what = (request.length() > 200 ? request.substring(0, 200) + "..." : request).replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        assertThat(whole).as("whole: %s", what).startsWith(start).contains(contains).doesNotContain(absent);
        assertThat(byteByByte).as("one byte per write: %s", what).isEqualTo(whole);
        assertThat(randomly).as("random split (seed %d, -Dparsing.seed): %s", SEED, what).isEqualTo(whole);
    }

    /** Feeds the request in writes of the given sizes (until the server closes) and returns all it answered. */
    private String exchange(HttpLimits limits, byte[] request, int[] sizes) {
        Application app = () -> handler;
        ServingStats stats = new ServingStats();
        ConnectionTracker tracker = new ConnectionTracker(stats);
        WorkerContext context = new ServingWorkerContext(1, 42, null, tracker);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HttpChannelInitializer(app, handler, context, limits, stats, tracker, null, null,
                Http2Options.off()));
        StringBuilder out = new StringBuilder();
        try {
            int offset = 0;
            for (int size : sizes) {
                if (!ch.isOpen()) {
                    break;
                }
                ch.writeInbound(Unpooled.wrappedBuffer(request, offset, size));
                offset += size;
                drain(ch, out);
            }
            drain(ch, out);
        } finally {
            ch.finishAndReleaseAll();
        }
        return out.toString().replaceAll("date: [^\r]+\r\n", "");
    }

    private static void drain(EmbeddedChannel ch, StringBuilder out) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(CharsetUtil.ISO_8859_1));
            b.release();
        }
    }
}
