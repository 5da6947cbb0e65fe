package dev.prefork.worker.runtime;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads the secret line the master writes to the worker's stdin, byte by byte so nothing after it is consumed. */
final class SecretReader {
    static final int MAX_SECRET_BYTES = 512;

    private SecretReader() {
    }

    static String read(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_SECRET_BYTES];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stdin closed before the secret line arrived; workers are started by the master");
            }
            if (b == '\n') {
                break;
            }
            if (n == buf.length) {
                throw new IOException("the secret line on stdin is longer than " + MAX_SECRET_BYTES + " bytes");
            }
            buf[n++] = (byte) b;
        }
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
