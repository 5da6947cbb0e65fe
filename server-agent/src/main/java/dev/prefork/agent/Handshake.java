package dev.prefork.agent;

import dev.prefork.agent.os.Posix;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.ControlMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The boot handshake, exactly as native workers do it: the secret line from stdin, Hello, the listening fds by
 * SCM_RIGHTS (the master sends no frame bytes before our answer), SocketsReceived.
 */
final class Handshake {
    static final int MAX_SECRET_BYTES = 512;

    private Handshake() {
    }

    /** The connected control channel and the received listening fds (FD_CLOEXEC). */
    record Result(ControlChannel channel, int[] listenFds) {
    }

    static Result run(AgentArgs args) throws BootFailure {
        String secret = readSecret();
        int controlFd;
        try {
            controlFd = Posix.connectUnix(args.controlSocket());
        } catch (IOException e) {
            throw new BootFailure("cannot connect to the master's control socket " + args.controlSocket() + ": "
                    + e.getMessage(), ExitCodes.WORKER_HANDSHAKE_FAILED, e);
        }
        ControlChannel channel = new ControlChannel(controlFd);
        int[] fds = new int[0];
        try {
            channel.send(new ControlMessage.Hello(args.workerId(), secret));
            while (fds.length < args.socketCount()) {
                int[] received = Posix.recvFds(controlFd);
                if (received == null) {
                    throw new BootFailure("the master closed the control connection after " + fds.length + " of "
                            + args.socketCount() + " listening sockets: it refused this worker's Hello (unknown id, "
                            + "wrong secret, pid or uid); see the master's log for its reason",
                            ExitCodes.WORKER_HANDSHAKE_FAILED, null);
                }
                int[] all = Arrays.copyOf(fds, fds.length + received.length);
                System.arraycopy(received, 0, all, fds.length, received.length);
                fds = all;
            }
            channel.send(new ControlMessage.SocketsReceived(fds.length));
        } catch (IOException e) {
            throw new BootFailure("control handshake with the master failed after " + fds.length + " listening sockets: "
                    + e.getMessage(), ExitCodes.WORKER_HANDSHAKE_FAILED, e);
        }
        return new Result(channel, fds);
    }

    private static String readSecret() throws BootFailure {
        try {
            byte[] line = Posix.readLine(0, MAX_SECRET_BYTES);
            int n = line.length;
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
            return new String(line, 0, n, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BootFailure("cannot read the secret line from stdin (" + e.getMessage()
                    + "); exec workers are started by the Prefork master", ExitCodes.WORKER_HANDSHAKE_FAILED, e);
        }
    }
}
