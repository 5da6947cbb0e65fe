package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Measures the lines of a chunked request body on its raw bytes before Netty decodes them, so that, as for heads
 * ({@link HeadScanner}), a verdict depends on the bytes alone and never on how they were split into reads (Netty's
 * own line limit counts a CR still waiting for its LF). It follows the chunk framing only to find the lines:
 * <ul>
 *   <li>a chunk-size line (the size in hex and any extensions, without its CRLF) at most
 *       {@value #CHUNK_LINE_LIMIT} octets;</li>
 *   <li>trailer fields as head fields: at most {@code limit-request-fields}, each line counted with its CRLF at
 *       most {@code limit-request-field-size} octets.</li>
 * </ul>
 * A line over its limit is refused as soon as it is longer than the limit, whole or not. Syntax is Netty's to
 * check: on a size it cannot read, this scanner stops following the body and leaves the verdict to Netty. Netty's
 * limits sit above these, so they never decide. Incremental (each call looks only at new bytes); consumes
 * nothing; one instance per connection, started for each chunked body.
 */
final class ChunkedBodyScanner {
    /**
     * 4096 octets, like Go's net/http (Gunicorn has no limit): far more than a size (at most 8 hex digits here)
     * with any extension in use needs, small enough that a line cannot be used to make the worker buffer much.
     */
    static final int CHUNK_LINE_LIMIT = 4096;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private enum State {
        /** Reading a chunk-size line. */
        SIZE_LINE,
        /** Inside a chunk's data and the CRLF after it. */
        DATA,
        /** Reading trailer lines, up to the empty line. */
        TRAILER,
        /** Not in a chunked body (or no longer following it). */
        IDLE
    }

    private final int fieldLimit;
    private final int fieldSizeLimit;
    private State state = State.IDLE;
    /** Offsets from the reader index: bytes examined so far, and the start of the line being read. */
    private int scanned;
    private int lineStart;
    /** Bytes of the current chunk's data and its CRLF not yet examined. */
    private long remaining;
    private int fields;
    /** Octets of the current trailer field so far, each of its lines counted with its CRLF. */
    private int fieldSize;

    ChunkedBodyScanner(HttpLimits limits) {
        this.fieldLimit = limits.requestFields();
        this.fieldSizeLimit = limits.requestFieldSize();
    }

    /** A chunked body starts at the reader index. */
    void start() {
        state = State.SIZE_LINE;
        scanned = 0;
        lineStart = 0;
        fields = 0;
        fieldSize = 0;
    }

    /** The body ended (or was refused). */
    void stop() {
        state = State.IDLE;
    }

    boolean isActive() {
        return state != State.IDLE;
    }

    /** Netty consumed {@code n} bytes at the reader index, all of them examined already. */
    void consumed(int n) {
        scanned = Math.max(0, scanned - n);
        lineStart = Math.max(0, lineStart - n);
    }

    /**
     * Examines the bytes that arrived since the last call, up to the end of the body.
     *
     * @throws TooLongFrameException when a line is over its limit
     */
    void scan(ByteBuf in) {
        int base = in.readerIndex();
        int available = in.writerIndex() - base;
        while (state != State.IDLE && scanned < available) {
            if (state == State.DATA) {
                int n = (int) Math.min(remaining, available - scanned);
                scanned += n;
                remaining -= n;
                if (remaining == 0) {
                    state = State.SIZE_LINE;
                    lineStart = scanned;
                }
                continue;
            }
            int lf = in.indexOf(base + scanned, base + available, LF);
            if (lf < 0) {
                scanned = available;
                int length = available - lineStart;
                if (length > 0 && in.getByte(base + available - 1) == CR) {
                    length--;
                }
                checkLine(in, base + lineStart, length, false);
                return;
            }
            int lineEnd = lf - base;
            scanned = lineEnd + 1;
            int length = lineEnd - lineStart - (lineEnd > lineStart && in.getByte(lf - 1) == CR ? 1 : 0);
            int start = base + lineStart;
            lineStart = scanned;
            checkLine(in, start, length, true);
            if (state == State.SIZE_LINE) {
                long size = chunkSize(in, start, start + length);
                if (size < 0) {
                    state = State.IDLE; // Netty refuses it
                } else if (size == 0) {
                    state = State.TRAILER;
                } else {
                    remaining = size + 2;
                    state = State.DATA;
                }
            } else if (length == 0) {
                state = State.IDLE; // the empty line after the trailers: the body is whole
            }
        }
    }

    /** {@code length} octets of a line from {@code start}, without CRLF; {@code whole} when its LF has come. */
    private void checkLine(ByteBuf in, int start, int length, boolean whole) {
        if (state == State.SIZE_LINE) {
            if (length > CHUNK_LINE_LIMIT) {
                throw new TooLongHttpLineException("a chunk-size line over " + CHUNK_LINE_LIMIT + " octets");
            }
            return;
        }
        if (length == 0) {
            return;
        }
        boolean continuation = in.getByte(start) == ' ' || in.getByte(start) == '\t';
        int size = (continuation ? fieldSize : 0) + length + 2;
        if (size > fieldSizeLimit) {
            throw new TooLongHttpHeaderException("a trailer field over " + fieldSizeLimit + " octets");
        }
        if (whole) {
            if (!continuation && ++fields > fieldLimit) {
                throw new TooLongHttpHeaderException("more than " + fieldLimit + " trailer fields");
            }
            fieldSize = size;
        }
    }

    /** The leading hex digits as Netty reads them, or -1 when there are none or too many. */
    private static long chunkSize(ByteBuf in, int start, int end) {
        long size = 0;
        int i = start;
        for (; i < end; i++) {
            int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            size = size * 16 + digit;
            if (size > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return i == start ? -1 : size;
    }
}
