package dev.prefork.worker.runtime;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.core.tls.ClientCertificates;
import dev.prefork.worker.http.ServingStats;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.Socket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

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
        new MasterWatch(MasterWatch.stdinChannel(), settings.masterPid(), MasterWatch::currentParentPid,
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
                answer = RejectedRequest.send(port, settings.limitRequestFields() + 1, serving.tls());
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

    private static String firstLine(String s) {
        int end = s.indexOf('\r');
        return end < 0 ? "'" + s + "'" : "'" + s.substring(0, end) + "'";
    }

    private static final class IgnoredCommands implements WorkerCommands {
        @Override
        public void drain(DrainOrder order) {
        }

        @Override
        public void activate(int slot, int socketGroup) {
        }

        @Override
        public void stop(String reason) {
        }

        @Override
        public void controlLost(String reason) {
        }
    }
}
