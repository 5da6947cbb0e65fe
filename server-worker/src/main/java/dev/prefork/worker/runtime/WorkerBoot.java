package dev.prefork.worker.runtime;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.core.tls.TlsFileException;
import dev.prefork.worker.Application;
import dev.prefork.worker.http.BlockingPool;
import dev.prefork.worker.http.Http2Options;
import dev.prefork.worker.http.HttpLimits;
import dev.prefork.worker.http.HttpServing;
import dev.prefork.worker.http.ServingStats;
import dev.prefork.worker.tls.CertificateRotation;
import dev.prefork.worker.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
/**
 * The worker's boot path from the handshake to serving: serving event loops, the handler threads of
 * {@code --threads}, the application loaded and initialised, the TLS context (with {@code --certfile}) and
 * HTTP/2 on the pipeline, its handler, the passed listening sockets registered, Ready sent, the served
 * certificate's expiry reported and its rotation watched, loop-lag ticks. A real worker
 * ({@link WorkerRuntime}) and the CDS training run ({@link CdsTraining}) both walk it, so the archive holds the
 * classes a worker loads, whatever the boot path grows into.
 */
final class WorkerBoot {
    private static final Logger log = LoggerFactory.getLogger(WorkerBoot.class);
    /** Serving event loops per worker; one by default, Gunicorn-style: scale with workers, not loops. */
    static final String EVENT_LOOPS_PROPERTY = "prefork.worker.eventLoops";
    private static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";

    /**
     * What the boot path built: the worker serves with it; {@code tls} is null in cleartext, {@code pool} is null
     * without {@code --threads}; a standby's {@code listeners} are paused until {@link Listeners#serveGroup}, and
     * {@code readySent} is its StandingBy.
     */
    record Serving(Application application, HttpServing http, ServerTls tls, Listeners listeners,
                   EventLoopGroup loops, int loopCount, BlockingPool pool, LoopLagMonitor lag, ChannelFuture readySent) {
    }

    private WorkerBoot() {
    }

    /**
     * Netty's JFR buffer events bootstrap JFR at the first allocation: ~100-200 ms of worker boot. The first step,
     * before any Netty class loads; -Dio.netty.jfr.enabled=true in the worker JVM options still wins.
     */
    static void disableNettyJfrUnlessSet() {
        if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
            System.setProperty(NETTY_JFR_PROPERTY, "false");
        }
    }

    /** The loop that runs the control connection, heartbeats and the drain: one daemon thread. */
    static EventLoopGroup controlLoop() {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("prefork-control", true),
                EpollIoHandler.newFactory());
    }

    /**
     * From a completed handshake to serving.
     *
     * @param controlLoop the control loop, which polls the certificate files for rotation
     * @param stats       the worker's counters (made by the caller, whose recycle callback reads them)
     * @param daemonLoops whether the serving loops leave the JVM free to exit (a worker's keep it alive)
     */
    static Serving serve(WorkerSettings settings, WorkerIdentity id, ControlLink link, EventLoopGroup controlLoop,
                         ServingStats stats, boolean daemonLoops) throws WorkerBootException {
        int loopCount = eventLoopCount(id);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(loopCount,
                new DefaultThreadFactory("prefork-http", daemonLoops), EpollIoHandler.newFactory());
        BlockingPool pool;
        try {
            pool = BlockingPool.create(settings.threads(), settings.threadQueue(), stats);
        } catch (RuntimeException e) {
            throw new WorkerBootException("--threads " + settings.threads() + ": " + e.getMessage(), e);
        }
        Application application = ApplicationLoader.load(settings.appClass(), Thread.currentThread().getContextClassLoader());
        HttpServing http = new HttpServing(application, settings.workerId(), loops, HttpLimits.from(settings),
                settings.accessLog(), stats, pool).http2(Http2Options.from(settings));
        ServerTls tls = loadTls(settings);
        http.tls(tls);
        ApplicationLoader.init(application, http.context());
        ChannelInitializer<Channel> childHandler;
        try {
            childHandler = http.childHandler();
        } catch (RuntimeException e) {
            throw new WorkerBootException(settings.appClass() + ".handler() failed: " + e
                    + "; return the HttpHandler that answers requests", e);
        }
        if (settings.standby()) {
            StandbyWarmUp.run(id, settings, loops, http.warmUpHandler(), tls);
        }
        // A standby registers its sockets paused: nothing accepts from them until the master activates it.
        Listeners listeners = settings.standby() ? Listeners.registerPaused(link.listenFds(), loops, childHandler)
                : Listeners.register(link.listenFds(), loops, childHandler);
        ChannelFuture readySent = link.send(settings.standby() ? new ControlMessage.StandingBy() : new ControlMessage.Ready());
        if (tls != null) {
            link.send(new ControlMessage.CertificateServed(tls.notAfter().getEpochSecond()));
            CertificateRotation.watch(tls, controlLoop, id.toString(),
                    rotated -> link.send(new ControlMessage.CertificateServed(rotated.notAfter().getEpochSecond())));
        }
        LoopLagMonitor lag = LoopLagMonitor.watch(loops, tickMillis(settings.heartbeatMillis()));
        return new Serving(application, http, tls, listeners, loops, loopCount, pool, lag, readySent);
    }

    /** The TLS context from the files the master validated; null for cleartext. */
    private static ServerTls loadTls(WorkerSettings settings) throws WorkerBootException {
        if (!settings.tls()) {
            return null;
        }
        try {
            return ServerTls.load(settings);
        } catch (TlsFileException | SSLException e) {
            throw new WorkerBootException("TLS cannot start: " + e.getMessage()
                    + "; check --certfile/--keyfile (the master validated them at start)", e);
        }
    }

    /** Loop-lag resolution: a tick at least twice per heartbeat, at most every 10 ms. */
    static long tickMillis(long heartbeatMillis) {
        return Math.max(10, Math.min(100, heartbeatMillis / 2));
    }

    private static int eventLoopCount(WorkerIdentity id) {
        String value = System.getProperty(EVENT_LOOPS_PROPERTY);
        if (value == null) {
            return 1;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        log.warn("{} ignores -D{}={}: give 1..1024 event loops; using 1", id, EVENT_LOOPS_PROPERTY, value);
        return 1;
    }
}
