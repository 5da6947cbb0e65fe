package dev.prefork.it.apps;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A hostile client of the master's control socket, run from wherever the test needs it (the test JVM, another
 * uid through {@code setpriv}, or inside a worker): sends one Hello and reports what came back.
 * {@code main(socketPath, workerId, secret)} prints the outcome.
 */
public final class ControlProbe {
    /** The master sends each fd with one data byte, so EOF before any byte means no fd was passed. */
    public static final String REFUSED = "refused";
    public static final String GOT_DATA = "got data";

    private ControlProbe() {
    }

    public static void main(String[] args) {
        System.out.println(hello(Path.of(args[0]), Integer.parseInt(args[1]), args[2]));
    }

    /** A Hello frame: u16 length, type 1, i32 worker id, u16 length + secret. */
    public static byte[] helloFrame(int workerId, String secret) {
        byte[] s = secret.getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(2 + 1 + 4 + 2 + s.length);
        hello.putShort((short) (1 + 4 + 2 + s.length)).put((byte) 1).putInt(workerId).putShort((short) s.length).put(s);
        return hello.array();
    }

    /** Sends a Hello and reads the answer: {@link #REFUSED}, {@link #GOT_DATA}, or why the connect failed. */
    public static String hello(Path socket, int workerId, String secret) {
        return send(socket, helloFrame(workerId, secret));
    }

    /** Sends raw bytes (empty: sends nothing) and waits for the master's verdict. */
    public static String send(Path socket, byte[] bytes) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return "connect failed: " + e.getMessage();
            }
            channel.write(ByteBuffer.wrap(bytes));
            // Blocking read, bounded by the master's handshake deadline.
            int n = channel.read(ByteBuffer.allocate(16));
            return n < 0 ? REFUSED : GOT_DATA;
        } catch (IOException e) {
            // A reset after the master closed on us is a refusal too.
            return REFUSED + " (" + e.getMessage() + ")";
        }
    }
}
