package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** Collects one request body up to the body limit, in a single array when the length is announced. */
final class RequestBody {
    private static final byte[] NO_BODY = new byte[0];
    private final long limit;
    private byte[] bytes;
    private int length;

    /** @param announced the Content-Length, or -1 (chunked) */
    RequestBody(long announced, long limit) {
        this(announced, limit, Integer.MAX_VALUE);
    }

    /**
     * @param announced   the Content-Length, or -1 (unknown)
     * @param maxCapacity the most allocated before the bytes arrive (an HTTP/2 stream: its window), since an
     *                    announced length alone must not reserve memory on many streams at once
     */
    RequestBody(long announced, long limit, int maxCapacity) {
        this.limit = limit;
        this.bytes = new byte[(int) Math.max(0, Math.min(Math.min(announced < 0 ? 1024 : announced, limit),
                maxCapacity))];
    }

    /** The bytes allocated for the body so far. */
    int capacity() {
        return bytes.length;
    }

    int length() {
        return length;
    }

    /** Appends the readable bytes; false when the body would exceed the limit (nothing is appended then). */
    boolean append(ByteBuf content) {
        int n = content.readableBytes();
        if ((long) length + n > limit) {
            return false;
        }
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) length + n, 2L * bytes.length)));
        }
        content.getBytes(content.readerIndex(), bytes, length, n);
        length += n;
        return true;
    }

    /** What {@link #appendTo} returns for a body over the limit (413). */
    static final RequestBody TOO_LARGE = new RequestBody(0, 0);

    /**
     * Appends a piece of a body to {@code body}, or to a new one when it is null (a body without Content-Length);
     * {@link #TOO_LARGE} when the body would exceed {@code limit}. Null stays null while no byte came.
     */
    static RequestBody appendTo(RequestBody body, ByteBuf content, long limit) {
        RequestBody target = body;
        if (content.isReadable()) {
            if (target == null) {
                target = new RequestBody(-1, limit);
            }
            if (!target.append(content)) {
                return TOO_LARGE;
            }
        }
        return target;
    }

    /** The bytes of {@code body}; empty when there was none. */
    static byte[] bytesOf(RequestBody body) {
        return body == null ? NO_BODY : body.toBytes();
    }

    byte[] toBytes() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }
}
