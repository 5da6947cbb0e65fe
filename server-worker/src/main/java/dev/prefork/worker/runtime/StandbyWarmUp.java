package dev.prefork.worker.runtime;

import dev.prefork.core.control.WorkerSettings;
import dev.prefork.worker.tls.ServerTls;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standby's serving path run before it stands by: a private loopback listener with the worker's own pipeline,
 * and a few requests through it, every other one over the limits ({@link RejectedRequest}: the server answers 431)
 * and the others within them (a stand-in handler answers 200 with a body): accept, channel set-up, decoding, the
 * limits, the handler dispatch and its completion, both answers, the close. So the first requests after
 * activation do not pay for first-time class initialisation and call site linking (measured: the first request
 * on an activated standby took about 40 ms more without the 431s, and about 5 ms more without the 200s). The
 * application's handler is never called. A failure only costs the warm-up: it is logged, never fatal.
 */
final class StandbyWarmUp {
    private static final Logger log = LoggerFactory.getLogger(StandbyWarmUp.class);
    static final int REQUESTS = 20;

    private StandbyWarmUp() {
    }

    static void run(WorkerIdentity id, WorkerSettings settings, EventLoopGroup loops, ChannelHandler childHandler,
                    ServerTls tls) {
        long start = System.nanoTime();
        Socket socket = null;
        Listeners own = null;
        int answered = 0;
        try {
            socket = Socket.newSocketStream();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.listen(REQUESTS);
            int port = ((InetSocketAddress) socket.localAddress()).getPort();
            own = Listeners.register(List.of(socket), loops, childHandler);
            for (int i = 0; i < REQUESTS; i++) {
                RejectedRequest.send(port, i % 2 == 0 ? settings.limitRequestFields() + 1 : 1, tls);
                answered++;
            }
        } catch (Exception e) {
            log.debug("{} standby warm-up stopped after {} request(s): {}", id, answered, e.toString());
        } finally {
            if (own != null) {
                // Closing the listener channel closes the socket's fd.
                own.stopAccepting().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> 0).join();
            } else if (socket != null) {
                closeQuietly(socket);
            }
        }
        log.debug("{} standby warm-up: {} request(s) through its serving path in {} ms", id, answered,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the warm-up listener failed: {}", e.toString());
        }
    }
}
