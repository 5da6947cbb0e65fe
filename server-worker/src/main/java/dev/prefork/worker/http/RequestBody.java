package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** Collects one request body up to the body limit, in a single array when the length is announced. */
final class RequestBody {
    private final long limit;
    private byte[] bytes;
    private int length;

    /** @param announced the Content-Length, or -1 (chunked) */
    RequestBody(long announced, long limit) {
        this.limit = limit;
        this.bytes = new byte[(int) Math.max(0, Math.min(announced < 0 ? 1024 : announced, limit))];
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

    byte[] toBytes() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }
}
