package dev.prefork.master.control;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The master's control socket: a Unix domain socket server (Netty epoll) in the private control directory.
 * Per connection: read {@code Hello} (with a deadline), check SO_PEERCRED and the secret through the
 * {@link WorkerDirectory}, send the listening fds (SCM_RIGHTS, no bytes), wait for {@code SocketsReceived},
 * then report frames to {@link ControlEvents}. Refusals are logged, counted in
 * {@code prefork.control.rejections{reason}} and close only that connection. TODO(H2b): implement.
 */
public final class ControlServer implements AutoCloseable {

    public static ControlServer start(Path socketPath, WorkerDirectory directory, ControlEvents events,
                                      MeterRegistry registry) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
