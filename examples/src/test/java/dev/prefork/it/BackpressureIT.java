package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that send without ever reading their responses: a worker (default JVM options, {@code -Xmx256m}) must
 * stop reading from them once their responses pile up, keep its RSS flat and go on serving everybody else.
 */
class BackpressureIT {
    private static final long RSS_LIMIT_KIB = 200 * 1024;
    private static final long FLOOD_MILLIS = 4_000;

    /** One per test, so that one test's worker growth cannot pass for the next one's. */
    private static MasterProcess master;

    @BeforeEach
    void startMaster() throws IOException {
        master = MasterProcess.start("--workers", "1").awaitReady(1);
    }

    @AfterEach
    void stopMaster() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void clientsPipeliningGetsWithoutReadingDoNotGrowTheWorker() throws Exception {
        byte[] gets = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2_000).getBytes(StandardCharsets.US_ASCII);
        flood("3 clients pipelining GETs", 3, gets);
    }

    @Test
    void aSlowReaderOfLargeEchoResponsesDoesNotGrowTheWorker() throws Exception {
        int size = 1024 * 1024;
        byte[] post = ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n" + "e".repeat(size))
                .getBytes(StandardCharsets.US_ASCII);
        flood("a client pipelining 1 MiB POST /echo", 1, post);
    }

    /**
     * {@code clients} connections write {@code chunk} over and over for {@link #FLOOD_MILLIS} and never read, while
     * the worker's VmRSS is sampled and another client sends plain GETs, each on a new connection.
     */
    private static void flood(String what, int clients, byte[] chunk) throws Exception {
        long workerPid = master.workerPids().iterator().next();
        long rssBefore = rssKib(workerPid);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        long maxRss = rssBefore;
        int served = 0;
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", master.port), 2_000);
                sockets.add(socket);
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        while (flooding.get()) {
                            out.write(chunk);
                            sent.addAndGet(chunk.length);
                        }
                    } catch (IOException closed) {
                        // the socket is closed at the end of the flood (or the worker gave up on it)
                    }
                }, "flood-" + i);
                writer.start();
                writers.add(writer);
            }
            long until = System.nanoTime() + FLOOD_MILLIS * 1_000_000;
            while (System.nanoTime() < until) {
                maxRss = Math.max(maxRss, rssKib(workerPid));
                try {
                    RawHttp.Response r = RawHttp.get(master.port, "/", 2_000);
                    if (r.status() == 200) {
                        served++;
                    } else {
                        failures.add("status " + r.status());
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                }
                maxRss = Math.max(maxRss, rssKib(workerPid));
            }
        } finally {
            flooding.set(false);
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : writers) {
                t.join(5_000);
            }
        }
        System.out.printf("BACKPRESSURE %s: worker VmRSS %d MiB before, max %d MiB during %d ms; %d MiB sent by the"
                        + " flooders; %d other GETs served, %d failed %s%n", what, rssBefore / 1024, maxRss / 1024,
                FLOOD_MILLIS, sent.get() >> 20, served, failures.size(), failures.stream().limit(3).toList());
        assertThat(master.workerPids()).as("the worker survived").containsExactly(workerPid);
        assertThat(maxRss).as("worker VmRSS KiB").isLessThan(RSS_LIMIT_KIB);
        assertThat(failures).as("other clients' failures").isEmpty();
        assertThat(served).as("other clients served meanwhile").isGreaterThanOrEqualTo(20);
        assertThat(RawHttp.get(master.port, "/").status()).isEqualTo(200);
    }

    /**
     * VmRSS of {@code pid} in KiB, from /proc (also used by Http2IT); the worker's death fails the test here rather
     * than with a misleading number.
     */
    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }
}
