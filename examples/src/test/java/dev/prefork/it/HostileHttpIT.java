package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP input against the running jar, with Gunicorn's option names: over-long request lines, too many or
 * too large header fields, malformed requests and oversized bodies are answered (414, 431, 400, 413) and the
 * connection is closed; slow clients are cut off by --header-timeout and --keep-alive without slowing others.
 */
class HostileHttpIT {
    private static final int HEADER_TIMEOUT_SECONDS = 2;
    private static final int KEEP_ALIVE_SECONDS = 2;
    private static final int SLOWLORIS = 300;

    private static MasterProcess master;

    @BeforeAll
    static void startMaster() throws IOException {
        master = MasterProcess.start("--workers", "1",
                "--limit-request-line", "200", "--limit-request-fields", "10", "--limit-request-field-size", "100",
                "--limit-request-body", "1000",
                "--header-timeout", Integer.toString(HEADER_TIMEOUT_SECONDS),
                "--keep-alive", Integer.toString(KEEP_ALIVE_SECONDS)).awaitReady(1);
    }

    @AfterAll
    static void stopMaster() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void aRequestLineOverTheLimitIs414AndCloses() throws IOException {
        assertAnsweredAndClosed("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        assertAnsweredAndClosed("GET /" + "a".repeat(150) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404);
    }

    @Test
    void tooManyHeaderFieldsAre431AndClose() throws IOException {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 12; i++) {
            request.append("X-Field-").append(i).append(": v\r\n");
        }
        assertAnsweredAndClosed(request.append("\r\n").toString(), 431);
    }

    @Test
    void aHeaderFieldOverTheSizeLimitIs431AndCloses() throws IOException {
        assertAnsweredAndClosed("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(200) + "\r\n\r\n", 431);
    }

    @Test
    void malformedRequestsAre400AndClose() throws IOException {
        assertAnsweredAndClosed("THIS IS NOT HTTP\r\n\r\n", 400);
        assertAnsweredAndClosed("GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400);
        assertAnsweredAndClosed("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n", 400);
    }

    @Test
    void aBodyOverTheLimitIs413AtOnceWithoutBeingBuffered() throws IOException {
        long started = System.nanoTime();
        // Announces 1 GiB and sends three bytes: only an answer from the headers can come back.
        assertAnsweredAndClosed("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\nabc", 413);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("HTTP 413 for a 1 GiB Content-Length after %d ms%n", millis);
        assertThat(millis).isLessThan(1_000);
        RawHttp.Response ok = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 900\r\n\r\n"
                + "e".repeat(900));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).hasSize(900);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterKeepAliveSeconds() throws IOException {
        try (KeepAliveConnection c = new KeepAliveConnection(master.port, 10_000)) {
            assertThat(c.get("/").status()).isEqualTo(200);
            long started = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("keep-alive connection closed after %.2f s idle (--keep-alive %d)%n", seconds, KEEP_ALIVE_SECONDS);
            assertThat(seconds).isBetween(KEEP_ALIVE_SECONDS - 0.5, KEEP_ALIVE_SECONDS + 2.0);
        }
    }

    @Test
    void aHeadThatNeverEndsIsClosedAfterTheHeaderTimeout() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", master.port), 2_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertThat(closedByServer(socket.getInputStream())).isTrue();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("unfinished head closed after %.2f s (--header-timeout %d)%n", seconds, HEADER_TIMEOUT_SECONDS);
            assertThat(seconds).isBetween(HEADER_TIMEOUT_SECONDS - 0.5, HEADER_TIMEOUT_SECONDS + 2.0);
        }
    }

    @Test
    void slowlorisConnectionsAreCutByTheHeaderTimeoutAndDoNotSlowOthers() throws Exception {
        List<Long> baseline = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long t0 = System.nanoTime();
            assertThat(RawHttp.get(master.port, "/", 5_000).status()).isEqualTo(200);
            baseline.add((System.nanoTime() - t0) / 1000);
        }
        Collections.sort(baseline);
        List<Socket> loris = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < SLOWLORIS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", master.port), 2_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                loris.add(s);
            }
            // One byte per connection every 200 ms: never a whole head.
            Thread trickler = new Thread(() -> {
                while (trickling.get()) {
                    for (Socket s : loris) {
                        try {
                            s.getOutputStream().write('a');
                        } catch (IOException closed) {
                            // cut off by the server: what we expect
                        }
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "slowloris");
            trickler.start();

            // Normal requests while the slowloris connections are held open, until the header timeout hits.
            List<Long> latencies = new ArrayList<>();
            long measureUntil = started + (HEADER_TIMEOUT_SECONDS * 1000L - 300) * 1_000_000;
            while (System.nanoTime() < measureUntil) {
                long t0 = System.nanoTime();
                RawHttp.Response r = RawHttp.get(master.port, "/", 5_000);
                latencies.add((System.nanoTime() - t0) / 1000);
                assertThat(r.status()).isEqualTo(200);
            }

            int closed = 0;
            long deadline = started + (HEADER_TIMEOUT_SECONDS + 3) * 1_000_000_000L;
            for (Socket s : loris) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                s.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                if (closedByServer(s.getInputStream())) {
                    closed++;
                }
            }
            double closedAfter = (System.nanoTime() - started) / 1e9;
            trickling.set(false);
            trickler.join(2_000);

            Collections.sort(latencies);
            long p50 = latencies.get(latencies.size() / 2);
            long p99 = latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.99) - 1));
            long max = latencies.get(latencies.size() - 1);
            System.out.printf("SLOWLORIS connections=%d closedByHeaderTimeout=%d (all within %.2f s, --header-timeout %d);"
                            + " normal requests during it: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms"
                            + " (before it: p50=%.2f ms p99=%.2f ms)%n",
                    SLOWLORIS, closed, closedAfter, HEADER_TIMEOUT_SECONDS, latencies.size(), p50 / 1000.0, p99 / 1000.0,
                    max / 1000.0, baseline.get(50) / 1000.0, baseline.get(98) / 1000.0);
            assertThat(latencies.size()).as("normal requests measured").isGreaterThanOrEqualTo(20);
            assertThat(p99).as("p99 latency of normal requests, µs").isLessThan(1_000_000);
            assertThat(closed).as("slowloris connections closed by the server").isEqualTo(SLOWLORIS);
        } finally {
            trickling.set(false);
            for (Socket s : loris) {
                s.close();
            }
        }
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
    }

    /** EOF or reset: closed. A timeout: still open. Bytes (a 408 or 400 answer) are read past. */
    private static boolean closedByServer(InputStream in) {
        try {
            byte[] buffer = new byte[512];
            while (in.read(buffer) >= 0) {
                // drain whatever the server said before closing
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Sends raw bytes, expects the status, and that the server then closes (read to EOF within the timeout). */
    private static void assertAnsweredAndClosed(String request, int status) throws IOException {
        assertThat(exchange(request).status()).as("answer to %s...", request.substring(0, Math.min(40, request.length())))
                .isEqualTo(status);
    }

    /** Reads the response to EOF: a server that kept the connection open fails with a read timeout. */
    private static RawHttp.Response exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", master.port), 2_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawHttp.parse(socket.getInputStream());
        }
    }
}
