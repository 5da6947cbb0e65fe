package dev.prefork.worker.runtime;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.core.tls.ClientCertificates;
import dev.prefork.worker.http.ServingStats;
import dev.prefork.worker.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.Socket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The class-loading training run behind {@code --worker-cds auto}: the master runs it once as
 * {@code java <worker opts> -XX:ArchiveClassesAtExit=<archive> -cp <worker class path> ...CdsTraining <settings>}.
 * It walks a worker's boot path for real: the handshake with a stand-in master ({@link TrainingMaster}) over a
 * domain socket, receiving a listening socket, then {@link WorkerBoot} as a worker does (loading and initialising
 * the application, its TLS and HTTP/2 set-up, serving); and it sends one request (over TLS with
 * {@code --certfile}) that the server itself rejects (431, too many header fields), so the codec and response classes load without calling the
 * application's handler. Then it exits 0 and the JVM writes every class it loaded into the archive.
 */
public final class CdsTraining {
    private static final long STEP_TIMEOUT_MILLIS = 10_000;

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        WorkerBoot.disableNettyJfrUnlessSet(); // as a worker does: the same classes load
        WorkerSettings settings = WorkerSettings.parse(args);
        WorkerIdentity id = new WorkerIdentity(settings.workerId(), ProcessHandle.current().pid());
        // The master holds our stdin open and never writes: EOF means it is gone, and so must we be, at once.
        new MasterWatch(System.in, settings.masterPid(), MasterWatch::currentParentPid,
                reason -> Runtime.getRuntime().halt(ExitCodes.WORKER_ORPHANED)).start();
        Path dir = Files.createTempDirectory("prefork-cds-training");
        Path controlPath = dir.resolve("control.sock");
        // The event loop first: it loads Netty's native library, which the socket needs.
        EventLoopGroup controlLoop = WorkerBoot.controlLoop();
        Socket listener = Socket.newSocketStream();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.listen(16);
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            Channel standInMaster = TrainingMaster.start(controlLoop, controlPath, listener.intValue());
            ControlLink link = ControlClient.connect(controlLoop, controlPath.toString(), settings.workerId(), "training",
                    1, new IgnoredCommands()).get(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            WorkerBoot.Serving serving = WorkerBoot.serve(settings, id, link, controlLoop,
                    new ServingStats(SegmentBuffer.inMemory(), settings.maxRequests(), () -> { }), true);
            serving.readySent().awaitUninterruptibly(STEP_TIMEOUT_MILLIS);
            String answer;
            try {
                answer = rejectedRequest(port, settings.limitRequestFields() + 1, serving.tls());
            } catch (SSLException e) {
                if (ClientCertificates.ofCode(settings.certReqs()) != ClientCertificates.REQUIRED) {
                    throw e;
                }
                // --cert-reqs 2 refuses this run's client, which has no certificate: the server's TLS ran all the same.
                answer = "HTTP/1.1 431 (TLS handshake refused without a client certificate, as configured)";
            }
            if (!answer.startsWith("HTTP/1.1 431")) {
                throw new IllegalStateException("the training request was answered " + firstLine(answer));
            }
            standInMaster.close().awaitUninterruptibly(STEP_TIMEOUT_MILLIS);
            System.out.println("prefork CDS training: worker boot path and one request done on port " + port);
        } finally {
            listener.close();
            Files.deleteIfExists(controlPath);
            Files.deleteIfExists(dir);
        }
        // Not halt: the archive is written by the JVM's normal exit.
        System.exit(0);
    }

    /**
     * A request with one header field too many: answered 431 by the server, never seen by the application. Over
     * TLS when the worker serves TLS, trusting the certificate it serves, so the server's TLS classes load too.
     */
    private static String rejectedRequest(int port, int fields, ServerTls tls) throws Exception {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 1; i < fields; i++) {
            request.append("X-Training-").append(i).append(": 1\r\n");
        }
        request.append("\r\n");
        try (java.net.Socket socket = tls == null ? new java.net.Socket(InetAddress.getLoopbackAddress(), port)
                : trusting(tls.certificate()).getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) STEP_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                answer.write(buf, 0, n);
                if (answer.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    private static SSLContext trusting(X509Certificate served) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("served", served);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String firstLine(String s) {
        int end = s.indexOf('\r');
        return end < 0 ? "'" + s + "'" : "'" + s.substring(0, end) + "'";
    }

    private static final class IgnoredCommands implements WorkerCommands {
        @Override
        public void drain(DrainOrder order) {
        }

        @Override
        public void stop(String reason) {
        }

        @Override
        public void controlLost(String reason) {
        }
    }
}
