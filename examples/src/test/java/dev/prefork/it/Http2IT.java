package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.it.TestCertificates.Commands;
import dev.prefork.it.TestCertificates.Issued;
import dev.prefork.it.TestCertificates.KeyForm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with real clients: curl (h2c by prior knowledge and by Upgrade, h2 over TLS), h2load (many streams on
 * few connections), nghttp (frames: the GOAWAY of a drain); {@code --http2 off}; the same handler on both.
 */
class Http2IT {
    private static final Pattern SUCCEEDED = Pattern.compile("requests: (\\d+) total, \\d+ started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");
    @RegisterExtension
    final StartedMasters masters = new StartedMasters();

    @Test
    void curlGetsH2cByPriorKnowledgeAndByUpgradeAndPostsABody() throws Exception {
        MasterProcess master = masters.start().awaitReady(1);
        String url = "http://127.0.0.1:" + master.port;

        assertThat(curl("--http2-prior-knowledge", url + "/")).isEqualTo("Hello, World! 2");
        String upgrade = curl("--http2", "-i", url + "/");
        assertThat(upgrade).startsWith("HTTP/1.1 101 Switching Protocols").contains("upgrade: h2c", "HTTP/2 200")
                .endsWith("Hello, World! 2");
        assertThat(curl("--http2-prior-knowledge", "--data-binary", "echo me over h2", url + "/echo"))
                .isEqualTo("echo me over h2 2");
        assertThat(curl("--http1.1", url + "/")).isEqualTo("Hello, World! 1.1");
        // The HTTP/1 checks still apply to an Upgrade request: no Host, 400.
        assertThat(RawHttp.exchange(master.port, "GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void h2loadRunsManyStreamsOnH2cAndH2WithoutAFailure(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", KeyForm.EC_PKCS8, 2);
        MasterProcess plain = masters.start().awaitReady(1);
        MasterProcess tls = masters.start("--certfile", server.cert().toString(), "--keyfile", server.key().toString())
                .awaitReady(1);

        String h2c = h2load("-n", "4000", "-c", "4", "-m", "20", "http://127.0.0.1:" + plain.port + "/");
        assertAllSucceeded(h2c, 4000);
        String h2 = h2load("-n", "4000", "-c", "4", "-m", "20", "https://127.0.0.1:" + tls.port + "/");
        assertAllSucceeded(h2, 4000);
        assertThat(h2).contains("Application protocol: h2");
        // More streams at once than allowed: the excess wait in the client, none fails.
        assertAllSucceeded(h2load("-n", "1000", "-c", "1", "-m", "300", "http://127.0.0.1:" + plain.port
                + "/sleep?ms=5"), 1000);
    }

    @Test
    void http2OffLeavesThePrefaceToHttp1AndTlsWithoutH2(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", KeyForm.RSA_PKCS8, 2);
        MasterProcess master = masters.start("--http2", "off").awaitReady(1);
        MasterProcess tls = masters.start("--http2", "off", "--certfile", server.cert().toString(), "--keyfile",
                server.key().toString()).awaitReady(1);

        assertThat(RawHttp.exchange(master.port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).startsWith("HTTP/1.1 505");
        assertThat(curl("--http2", "http://127.0.0.1:" + master.port + "/")).isEqualTo("Hello, World! 1.1");
        assertThat(Commands.run(List.of("curl", "-sS", "--max-time", "10", "--http2", "--cacert",
                certs.caCert.toString(), "-w", " %{http_version}", "https://localhost:" + tls.port + "/"), null, 20)
                .requireSuccess()).isEqualTo("Hello, World! 1.1");
    }

    /**
     * TERM while a stream is open: the connection gets GOAWAY, the open stream finishes with its 200, then the
     * worker closes the connection and exits 0.
     */
    @Test
    void drainSendsGoawayAndLetsTheOpenStreamFinish() throws Exception {
        MasterProcess master = masters.start().awaitReady(1);
        Path out = Files.createTempFile("prefork-it-nghttp-", ".out");
        Process nghttp = new ProcessBuilder("nghttp", "-nv", "http://127.0.0.1:" + master.port + "/sleep?ms=2000")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await("the stream is open").atMost(Duration.ofSeconds(10))
                    .until(() -> master.metric("prefork_requests_in_flight") == 1);
            master.signal("TERM");
            assertThat(nghttp.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String frames = Files.readString(out);
            assertThat(frames).contains("recv GOAWAY frame", "error_code=NO_ERROR(0x00)", ":status: 200");
            assertThat(frames.indexOf("recv GOAWAY frame")).as("GOAWAY before the answer")
                    .isLessThan(frames.indexOf(":status: 200"));
            assertThat(nghttp.exitValue()).as(frames).isZero();
            assertThat(master.waitForExit(Duration.ofSeconds(30))).isZero();
        } finally {
            nghttp.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /**
     * The HTTP/2 slow reader: h2load opens 100 streams per connection, each POSTing 1 MiB to /echo, and announces a
     * stream window of 0 ({@code -w 0}), so the worker may send none of the responses; they wait in the worker
     * until the client opens its window, which it never does. The worker ({@code -Xmx256m}) stays under 200 MiB
     * VmRSS and serves another client meanwhile.
     */
    @Test
    void aClientThatNeverOpensItsWindowForLargeEchoResponsesDoesNotGrowTheWorker(@TempDir Path dir) throws Exception {
        MasterProcess master = masters.start().awaitReady(1);
        long workerPid = master.workerPids().iterator().next();
        Path body = Files.write(dir.resolve("body"), "e".repeat(1024 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long rssBefore = BackpressureIT.rssKib(workerPid);
        Path out = dir.resolve("h2load.out");
        Process slowReader = new ProcessBuilder("h2load", "-n", "200", "-c", "2", "-m", "100", "-w", "0", "-d",
                body.toString(), "http://127.0.0.1:" + master.port + "/echo")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long maxRss = rssBefore;
        int served = 0;
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < until) {
                assertThat(slowReader.isAlive()).as("h2load waits for responses it never lets come: %s",
                        Files.readString(out)).isTrue();
                maxRss = Math.max(maxRss, BackpressureIT.rssKib(workerPid));
                if (RawHttp.get(master.port, "/").status() == 200) {
                    served++;
                }
            }
        } finally {
            slowReader.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        System.out.printf("HTTP/2 window-0 reader of 200 x 1 MiB /echo on 2 connections: worker VmRSS %d -> max %d KiB; "
                + "%d other requests served%n", rssBefore, maxRss, served);
        assertThat(maxRss).as("worker VmRSS (KiB)").isLessThan(200 * 1024);
        assertThat(served).as("requests served to another client meanwhile").isPositive();
    }

    private static String curl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-w", " %{http_version}"));
        cmd.addAll(List.of(args));
        return Commands.run(cmd, null, 20).requireSuccess().replace("\r\n", "\n");
    }

    private static String h2load(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("h2load"));
        cmd.addAll(List.of(args));
        return Commands.run(cmd, null, 120).requireSuccess();
    }

    private static void assertAllSucceeded(String h2load, int total) {
        Matcher m = SUCCEEDED.matcher(h2load);
        assertThat(m.find()).as(h2load).isTrue();
        assertThat(Integer.parseInt(m.group(3))).as(h2load).isEqualTo(total);
        assertThat(h2load).contains("status codes: " + total + " 2xx");
    }
}
