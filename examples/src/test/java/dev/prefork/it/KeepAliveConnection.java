package dev.prefork.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** One HTTP/1.1 keep-alive connection: many requests in turn on one socket, responses framed by Content-Length. */
final class KeepAliveConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    KeepAliveConnection(int port, int readTimeoutMillis) throws IOException {
        this(plain(port, readTimeoutMillis));
    }

    /** Over a socket already connected, e.g. a TLS socket after its handshake. */
    KeepAliveConnection(Socket socket) throws IOException {
        this.socket = socket;
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    private static Socket plain(int port, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(readTimeoutMillis);
        return socket;
    }

    /**
     * One {@code GET /} of load client {@code client}, as StandbyIT and ChaosIT run it: opens a connection first
     * when {@code c} is null, counts a 200 in {@code served} (noting the worker pid that answered in
     * {@code workerOf}) and any other status in {@code failed}.
     *
     * @return the connection for the next request
     * @throws IOException the connection is unusable and already closed; the caller counts it and passes null next
     */
    static KeepAliveConnection countedGet(KeepAliveConnection c, int port, int readTimeoutMillis, int client,
                                          AtomicLongArray workerOf, AtomicLong served, AtomicLong failed)
            throws IOException {
        if (c == null) {
            workerOf.set(client, 0);
            c = new KeepAliveConnection(port, readTimeoutMillis);
        }
        try {
            RawHttp.Response r = c.get("/");
            if (r.status() == 200) {
                served.incrementAndGet();
                workerOf.set(client, r.workerPid());
            } else {
                failed.incrementAndGet();
            }
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /** Sends a GET and reads its response; an IOException means the connection is unusable. */
    RawHttp.Response get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    /** Reads one response: status line, headers, then exactly Content-Length body bytes. */
    RawHttp.Response read() throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: '" + statusLine + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        return new RawHttp.Response(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True once the server closed the connection (EOF), false if it is still open after the read timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
