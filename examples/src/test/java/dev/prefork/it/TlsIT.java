package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.it.TestCertificates.Commands;
import dev.prefork.it.TestCertificates.Issued;
import dev.prefork.it.TestCertificates.KeyForm;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS with real clients (curl, openssl s_client, a JDK TLS client): every key form, bad files refused at start
 * with exit 2, protocol floor and ALPN, client certificates, and rotation under load (a Kubernetes-style
 * {@code ..data} symlink swap) with no failed request.
 */
class TlsIT {
    @RegisterExtension
    final StartedMasters masters = new StartedMasters();

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void everyKeyFormServesH2AndHttp11ToCurlAndReportsTheExpiry(KeyForm form, @TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", form, 2);
        MasterProcess master = masters.start("--certfile", server.cert().toString(), "--keyfile", server.key().toString())
                .awaitReady(1);

        String h2 = curl(certs, master, "--http2");
        assertThat(h2).startsWith("Hello, World!").endsWith(" 2");
        String h1 = curl(certs, master, "--http1.1");
        assertThat(h1).startsWith("Hello, World!").endsWith(" 1.1");
        assertThat(master.logText()).contains("TLS by OpenSSL");
        long notAfter = certificate(server.cert()).getNotAfter().toInstant().getEpochSecond();
        await("expiry metric").atMost(Duration.ofSeconds(10))
                .until(() -> master.metric("prefork_tls_certificate_expiry_timestamp_seconds") == notAfter);
    }

    @Test
    void badTlsFilesExit2NamingTheFileAndTheProblemBeforeAnythingIsBound(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", KeyForm.RSA_PKCS8, 2);
        Issued other = certs.issue("other", KeyForm.EC_SEC1, 2);
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        Path encrypted = dir.resolve("encrypted.key");
        TestCertificates.openssl("genpkey", "-algorithm", "RSA", "-aes256", "-pass", "pass:secret",
                "-out", encrypted.toString());
        Path missing = dir.resolve("missing.key");

        assertRefused(List.of("--certfile", server.cert().toString(), "--keyfile", missing.toString()),
                "--keyfile", missing.toString(), "does not exist");
        assertRefused(List.of("--certfile", server.cert().toString(), "--keyfile", other.key().toString()),
                "--keyfile", other.key().toString(), "does not match the certificate");
        assertRefused(List.of("--certfile", notPem.toString(), "--keyfile", server.key().toString()),
                "--certfile", notPem.toString(), "is not a PEM file");
        assertRefused(List.of("--certfile", server.cert().toString(), "--keyfile", encrypted.toString()),
                "--keyfile", encrypted.toString(), "encrypted private key");
        assertRefused(List.of("--certfile", server.cert().toString(), "--keyfile", server.key().toString(),
                "--cert-reqs", "2"), "--cert-reqs", "needs --ca-certs");
        assertRefused(List.of("--certfile", server.cert().toString(), "--keyfile", server.key().toString(),
                "--ciphers", "RC4-MD5"), "--ciphers", "RC4-MD5", "not a cipher suite");
    }

    private void assertRefused(List<String> args, String... expected) throws Exception {
        MasterProcess master = masters.start(args.toArray(new String[0]));
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(2);
        String line = master.logText().lines().filter(l -> l.startsWith("prefork: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'prefork: ' line in:\n" + master.logText()));
        assertThat(line).contains(expected);
        assertThat(master.seenDescendants()).as("no worker started").isEmpty();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", master.port), 1_000);
            throw new AssertionError("port " + master.port + " was bound");
        } catch (IOException refused) {
            // nothing was bound
        }
    }

    @Test
    void opensslSClientGetsTls13AndH2AndTheFloorRefusesOlderVersions(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", KeyForm.EC_PKCS8, 2);
        MasterProcess master = masters.start("--certfile", server.cert().toString(), "--keyfile", server.key().toString());
        MasterProcess tls13 = masters.start("--certfile", server.cert().toString(), "--keyfile", server.key().toString(),
                "--tls-min-version", "1.3");
        master.awaitReady(1);
        tls13.awaitReady(1);

        String h2 = sClient(certs.caCert, master.port, "-alpn", "h2,http/1.1");
        assertThat(h2).contains("New, TLSv1.3, Cipher is", "ALPN protocol: h2", "Verify return code: 0 (ok)");
        assertThat(sClient(certs.caCert, master.port, "-tls1_2", "-alpn", "http/1.1"))
                .contains("New, TLSv1.2, Cipher is", "ALPN protocol: http/1.1");
        assertThat(sClient(certs.caCert, master.port, "-tls1_1")).contains("Cipher is (NONE)", "protocol version");
        assertThat(sClient(certs.caCert, tls13.port, "-tls1_2")).contains("Cipher is (NONE)", "protocol version");
        assertThat(sClient(certs.caCert, tls13.port)).contains("New, TLSv1.3, Cipher is");
    }

    @Test
    void certReqs2RefusesAClientWithoutACertificateAndServesOneWithIt(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued server = certs.issue("server", KeyForm.RSA_PKCS1, 2);
        Issued client = certs.issue("client", KeyForm.EC_SEC1, 2);
        MasterProcess master = masters.start("--certfile", server.cert().toString(), "--keyfile", server.key().toString(),
                "--ca-certs", certs.caCert.toString(), "--cert-reqs", "2").awaitReady(1);

        Commands.Result without = Commands.run(List.of("curl", "-sS", "--max-time", "10", "--cacert",
                certs.caCert.toString(), "https://localhost:" + master.port + "/"), null, 20);
        assertThat(without.exit()).as(without.output()).isNotZero();
        assertThat(curl(certs, master, "--cert", client.cert().toString(), "--key", client.key().toString()))
                .startsWith("Hello, World!");
    }

    /**
     * A Kubernetes secret volume: {@code tls.crt -> ..data/tls.crt}, {@code ..data -> ..2026_1}; an update writes
     * a new directory and renames a new {@code ..data} link over the old one (atomic). Under load from clients that
     * open a new TLS connection per request, new connections get the new certificate within seconds, no request
     * fails, and a connection opened before the swap keeps serving with the old certificate.
     */
    @Test
    void rotationBySymlinkSwapReachesNewConnectionsWithinSecondsWithoutAFailedRequest(@TempDir Path dir)
            throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir);
        Issued first = certs.issue("first", KeyForm.RSA_PKCS8, 2);
        Issued second = certs.issue("second", KeyForm.EC_SEC1, 3);
        Path volume = Files.createDirectory(dir.resolve("secret"));
        Path v1 = Files.createDirectory(volume.resolve("..2026_1"));
        Files.copy(first.cert(), v1.resolve("tls.crt"));
        Files.copy(first.key(), v1.resolve("tls.key"));
        Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2026_1"));
        Files.createSymbolicLink(volume.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(volume.resolve("tls.key"), Path.of("..data/tls.key"));
        // A long keep-alive: the connection from before the swap is used again at the end.
        MasterProcess master = masters.start("--workers", "2", "--keep-alive", "120", "--certfile", volume.resolve("tls.crt").toString(),
                "--keyfile", volume.resolve("tls.key").toString()).awaitReady(2);
        BigInteger firstSerial = certificate(first.cert()).getSerialNumber();
        BigInteger secondSerial = certificate(second.cert()).getSerialNumber();
        SSLContext client = clientContext(certs.caCert);

        SSLSocket before = connect(client, master.port);
        KeepAliveConnection beforeConnection = new KeepAliveConnection(before);
        assertThat(beforeConnection.get("/").status()).isEqualTo(200);
        Set<BigInteger> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong firstNewAt = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try (SSLSocket s = connect(client, master.port)) {
                        BigInteger serial = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
                        seen.add(serial);
                        if (serial.equals(secondSerial)) {
                            firstNewAt.compareAndSet(0, System.nanoTime());
                        }
                        if (new KeepAliveConnection(s).get("/").status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }, "tls-load-" + i);
            t.start();
            load.add(t);
        }
        await("load running").atMost(Duration.ofSeconds(20)).until(() -> ok.get() > 50);

        Path v2 = Files.createDirectory(volume.resolve("..2026_2"));
        Files.copy(second.cert(), v2.resolve("tls.crt"));
        Files.copy(second.key(), v2.resolve("tls.key"));
        Path newLink = Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of("..2026_2"));
        long swappedAt = System.nanoTime();
        Files.move(newLink, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

        await("a new connection sees the new certificate").atMost(Duration.ofSeconds(10))
                .until(() -> firstNewAt.get() != 0);
        int okAtRotation = ok.get();
        await("more load after the rotation").atMost(Duration.ofSeconds(20)).until(() -> ok.get() > okAtRotation + 100);
        stop.set(true);
        for (Thread t : load) {
            t.join(10_000);
        }
        long rotationMillis = (firstNewAt.get() - swappedAt) / 1_000_000;
        System.out.printf("TLS rotation: new certificate on a new connection %d ms after the swap; %d requests, "
                + "%d failed%n", rotationMillis, ok.get(), failed.get());
        assertThat(failed.get()).as("failed requests").isZero();
        assertThat(seen).containsExactlyInAnyOrder(firstSerial, secondSerial);
        await("every worker serves the new certificate").atMost(Duration.ofSeconds(10)).until(() ->
                serialFromOpenssl(master.port).equals(secondSerial) && serialFromOpenssl(master.port).equals(secondSerial));

        assertThat(beforeConnection.get("/").status()).as("a connection from before the swap still serves").isEqualTo(200);
        assertThat(((X509Certificate) before.getSession().getPeerCertificates()[0]).getSerialNumber())
                .isEqualTo(firstSerial);
        before.close();
        long secondNotAfter = certificate(second.cert()).getNotAfter().toInstant().getEpochSecond();
        await("expiry metric follows").atMost(Duration.ofSeconds(10))
                .until(() -> master.metric("prefork_tls_certificate_expiry_timestamp_seconds") == secondNotAfter);
        assertThat(master.logText()).contains("rotated its TLS certificate");
    }

    private static String curl(TestCertificates certs, MasterProcess master, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert",
                certs.caCert.toString(), "-w", " %{http_version}"));
        cmd.addAll(List.of(extra));
        cmd.add("https://localhost:" + master.port + "/");
        return Commands.run(cmd, null, 20).requireSuccess();
    }

    private static String sClient(Path ca, int port, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-verify_return_error", "-CAfile", ca.toString()));
        cmd.addAll(List.of(extra));
        return Commands.run(cmd, "", 20).output();
    }

    private BigInteger serialFromOpenssl(int port) throws Exception {
        String chain = Commands.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername",
                "localhost"), "", 20).output();
        int begin = chain.indexOf("-----BEGIN CERTIFICATE-----");
        int end = chain.indexOf("-----END CERTIFICATE-----");
        if (begin < 0 || end < 0) {
            return BigInteger.ZERO;
        }
        Path pem = Files.createTempFile("prefork-it-served-", ".pem");
        try {
            Files.writeString(pem, chain.substring(begin, end + "-----END CERTIFICATE-----".length()) + "\n");
            return certificate(pem).getSerialNumber();
        } finally {
            Files.deleteIfExists(pem);
        }
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SSLContext clientContext(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }
}
