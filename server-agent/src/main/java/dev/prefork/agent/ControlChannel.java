package dev.prefork.agent;

import dev.prefork.agent.os.Posix;
import dev.prefork.core.control.ControlCodec;
import dev.prefork.core.control.ControlMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** The agent's end of the control socket: frames out (any thread), one reader thread in. */
final class ControlChannel {
    private final int fd;
    private final Object sendLock = new Object();

    ControlChannel(int fd) {
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    void send(ControlMessage message) throws IOException {
        byte[] frame = ControlCodec.encode(message);
        synchronized (sendLock) {
            Posix.sendAll(fd, frame, 0, frame.length);
        }
    }

    /** Sends, or logs one line if the master is gone: callers on background threads have no one to tell. */
    boolean trySend(ControlMessage message) {
        try {
            send(message);
            return true;
        } catch (IOException e) {
            AgentLog.info("sending " + message.getClass().getSimpleName() + " to the master failed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Ends {@link #readFrames} with end of file. The JVM is exiting: HotSpot's exit waits up to 300 ms for threads
     * in native code, and the reader blocks in recv.
     */
    void stopReading() {
        try {
            Posix.shutdownInput(fd);
        } catch (IOException e) {
            AgentLog.info("releasing the control reader failed: " + e.getMessage());
        }
    }

    /**
     * Reads frames until end of file (returns normally) or a read error or invalid frame (throws).
     * Each decoded message goes to {@code sink} on this thread.
     */
    void readFrames(Consumer<ControlMessage> sink) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4 * ControlCodec.MAX_FRAME);
        byte[] chunk = new byte[ControlCodec.MAX_FRAME];
        while (true) {
            int n = Posix.recv(fd, chunk, 0, Math.min(chunk.length, buffer.remaining()));
            if (n == 0) {
                return;
            }
            buffer.put(chunk, 0, n).flip();
            while (true) {
                ControlCodec.Decoded decoded = ControlCodec.decode(buffer);
                if (decoded instanceof ControlCodec.Decoded.Message m) {
                    sink.accept(m.message());
                } else if (decoded instanceof ControlCodec.Decoded.Invalid invalid) {
                    throw new IOException("invalid control frame from the master: " + invalid.reason());
                } else {
                    break;
                }
            }
            buffer.compact();
        }
    }
}
