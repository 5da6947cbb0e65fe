package dev.prefork.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny HTTP/1.1 client, one connection per request ({@code Connection: close}). Unlike a pooled client it says
 * exactly when a request was sent: {@link #send} returns once the request bytes are written, which is what
 * "a request started before the stop" means in the drain tests.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** A response, or the failure that replaced it (status -1). */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final String body;
        final String failure;

        Response(int status, Map<String, String> headers, String body, String failure) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.failure = failure;
        }

        static Response failed(String what) {
            return new Response(-1, Map.of(), "", what);
        }

        /** A header by lower-case name, or null. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status < 0 ? "failed: " + failure : status + " " + body.strip();
        }
    }

    /** A request whose bytes are on the wire; {@link #await()} reads its response. */
    static final class InFlight {
        private final Socket socket;
        private final String failure;

        private InFlight(Socket socket, String failure) {
            this.socket = socket;
            this.failure = failure;
        }

        boolean sent() {
            return failure == null;
        }

        Response await() {
            if (failure != null) {
                return Response.failed(failure);
            }
            try (Socket s = socket) {
                return parse(readAll(s.getInputStream()));
            } catch (IOException e) {
                return Response.failed("read: " + e);
            }
        }
    }

    /** Connects and writes {@code GET path}; a connect or write failure is reported by {@link InFlight#await()}. */
    static InFlight send(String host, int port, String path, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new InFlight(socket, null);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the failure that matters is e
            }
            return new InFlight(null, "connect/write " + host + ":" + port + path + ": " + e);
        }
    }

    static Response get(String host, int port, String path, Duration timeout) {
        return send(host, port, path, timeout).await();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toByteArray();
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return Response.failed(raw.length == 0 ? "connection closed before any response" : "truncated head: " + text);
        }
        String[] lines = text.substring(0, headEnd).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            return Response.failed("not an HTTP response: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        String body = text.substring(headEnd + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        byte[] bodyBytes = body.getBytes(StandardCharsets.ISO_8859_1);
        return new Response(Integer.parseInt(statusLine[1]), headers, new String(bodyBytes, StandardCharsets.UTF_8), null);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", pos);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(pos, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
            pos = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }
}
