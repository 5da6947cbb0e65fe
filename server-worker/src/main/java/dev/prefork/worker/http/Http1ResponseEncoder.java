package dev.prefork.worker.http;

import dev.prefork.worker.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Writes an application's {@link HttpResponse} as HTTP/1.1 bytes, head and body in one pooled buffer, with the
 * server's own headers: the same bytes Netty's {@code HttpResponseEncoder} writes for {@link NettyResponses#toNetty},
 * without the header map, the response object and the encoder's per-message work in between (a JFR profile had
 * that path at about 8% of the serving samples). Status lines and the server's header lines are encoded once;
 * the {@code Date} value comes from {@link HttpDate}'s per-second cache.
 *
 * <p>As Netty's encoder does (RFC 9110 §6.4.1, §15.4.5): 1xx and 204 answers carry no {@code Content-Length} and
 * no body (a 101 only with {@code Sec-WebSocket-Version}: Netty keeps the body of any other 101); 205 carries {@code Content-Length: 0} and no body; 304 keeps its
 * {@code Content-Length} without the body.
 */
final class Http1ResponseEncoder {
    private static final byte[] CONTENT_LENGTH = ascii("content-length: ");
    private static final byte[] DATE = ascii("date: ");
    private static final byte[] CONNECTION_CLOSE = ascii("connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("connection: keep-alive\r\n");
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SP = (':' << 8) | ' ';
    /** Room for the status line, the server's headers and the final CRLF. */
    private static final int OWN_HEAD_BYTES = 128;
    /** "HTTP/1.1 200 OK\r\n" per status code, made on first use (any thread: the array publishes it safely). */
    private static final AtomicReferenceArray<byte[]> STATUS_LINES = new AtomicReferenceArray<>(1000);

    private Http1ResponseEncoder() {
    }

    /**
     * @param keepAlive   false adds {@code Connection: close} (replacing the application's); true on HTTP/1.0 adds
     *                    {@code Connection: keep-alive}
     * @param headRequest the answer to a HEAD: the body's Content-Length without the body
     * @return a buffer the caller owns
     */
    static ByteBuf encode(ByteBufAllocator alloc, HttpResponse response, boolean http10, boolean keepAlive,
                          boolean headRequest) {
        int status = response.status();
        List<Map.Entry<String, String>> appHeaders = response.headers();
        boolean ownConnection = !keepAlive || http10;
        boolean lengthHeader = !(status == 204
                || status < 200 && (status != 101 || response.header("sec-websocket-version") != null));
        boolean body = lengthHeader && !headRequest && status != 205 && status != 304;
        int length = response.bodyLength();
        int size = OWN_HEAD_BYTES + (body ? length : 0);
        for (int i = 0, n = appHeaders.size(); i < n; i++) {
            Map.Entry<String, String> h = appHeaders.get(i);
            size += h.getKey().length() + h.getValue().length() + 4;
        }
        ByteBuf buf = alloc.buffer(size);
        try {
            buf.writeBytes(statusLine(status));
            for (int i = 0, n = appHeaders.size(); i < n; i++) {
                Map.Entry<String, String> h = appHeaders.get(i);
                String name = h.getKey();
                if (isServerHeader(name, ownConnection)) {
                    continue;
                }
                ByteBufUtil.writeAscii(buf, name);
                buf.writeShort(COLON_SP);
                ByteBufUtil.writeAscii(buf, h.getValue());
                buf.writeShort(CRLF);
            }
            if (lengthHeader && status != 205) {
                writeContentLength(buf, length);
            }
            buf.writeBytes(DATE);
            AsciiString date = HttpDate.now();
            ByteBufUtil.copy(date, 0, buf, date.length());
            buf.writeShort(CRLF);
            if (!keepAlive) {
                buf.writeBytes(CONNECTION_CLOSE);
            } else if (http10) {
                buf.writeBytes(CONNECTION_KEEP_ALIVE);
            }
            if (status == 205) {
                writeContentLength(buf, 0); // last, where Netty's encoder puts the 0 it sets
            }
            buf.writeShort(CRLF);
            if (body && length > 0) {
                buf.writeBytes(response.bodyBuffer());
            }
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Content-Length and Date are always the server's; Connection when it writes its own. */
    private static boolean isServerHeader(String name, boolean ownConnection) {
        switch (name.length()) {
            case 4:
                return name.equalsIgnoreCase("date");
            case 10:
                return ownConnection && name.equalsIgnoreCase("connection");
            case 14:
                return name.equalsIgnoreCase("content-length");
            default:
                return false;
        }
    }

    private static byte[] statusLine(int status) {
        byte[] line = STATUS_LINES.get(status);
        if (line == null) {
            HttpResponseStatus s = HttpResponseStatus.valueOf(status);
            line = ascii("HTTP/1.1 " + s.code() + " " + s.reasonPhrase() + "\r\n");
            STATUS_LINES.set(status, line);
        }
        return line;
    }

    private static void writeContentLength(ByteBuf buf, int length) {
        buf.writeBytes(CONTENT_LENGTH);
        writeDecimal(buf, length);
        buf.writeShort(CRLF);
    }

    private static void writeDecimal(ByteBuf buf, int value) {
        if (value < 10) {
            buf.writeByte('0' + value);
            return;
        }
        int digits = 1;
        for (int v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        int end = buf.writerIndex() + digits;
        buf.ensureWritable(digits);
        for (int i = end - 1, v = value; i >= end - digits; i--, v /= 10) {
            buf.setByte(i, '0' + v % 10);
        }
        buf.writerIndex(end);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
