package dev.prefork.core.segment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Atomic access to a segment's bytes through byte-buffer view {@link VarHandle}s: volatile reads, release
 * stores and atomic adds on 8-byte aligned offsets of a direct (mapped) buffer, with public JDK API only. Agrona's
 * {@code UnsafeBuffer} does the same but, from 2.0, needs {@code --add-exports java.base/jdk.internal.misc} on every
 * JVM that loads it (master, workers, exec-worker agents), which the project's rules exclude.
 */
public final class SegmentBuffer {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer bytes;

    /** {@code bytes} must be direct (atomic access modes need it) and at least {@link SegmentLayout#LENGTH} long. */
    public SegmentBuffer(ByteBuffer bytes) {
        if (!bytes.isDirect() || bytes.capacity() < SegmentLayout.LENGTH) {
            throw new IllegalArgumentException("a segment buffer must be direct and at least " + SegmentLayout.LENGTH
                    + " bytes, got " + bytes);
        }
        this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A buffer in plain memory, same layout: for a worker run without a master (tests, CDS training). */
    public static SegmentBuffer inMemory() {
        SegmentBuffer b = new SegmentBuffer(ByteBuffer.allocateDirect(SegmentLayout.LENGTH));
        b.putInt(SegmentLayout.VERSION_OFFSET, SegmentLayout.VERSION);
        b.putInt(SegmentLayout.LENGTH_OFFSET, SegmentLayout.LENGTH);
        b.putLongVolatile(SegmentLayout.MAGIC_OFFSET, SegmentLayout.MAGIC);
        return b;
    }

    public long getLongVolatile(int offset) {
        return (long) LONGS.getVolatile(bytes, offset);
    }

    public void putLongVolatile(int offset, long value) {
        LONGS.setVolatile(bytes, offset, value);
    }

    /** A store others see in order, cheaper than volatile: for a value only this process writes. */
    public void putLongRelease(int offset, long value) {
        LONGS.setRelease(bytes, offset, value);
    }

    /** Atomic add, for a figure several threads of the worker update. */
    public long getAndAddLong(int offset, long delta) {
        return (long) LONGS.getAndAdd(bytes, offset, delta);
    }

    /** Plain store, for tests that scribble. */
    public void putLong(int offset, long value) {
        bytes.putLong(offset, value);
    }

    public int getInt(int offset) {
        return bytes.getInt(offset);
    }

    public int getIntVolatile(int offset) {
        return (int) INTS.getVolatile(bytes, offset);
    }

    public void putInt(int offset, int value) {
        bytes.putInt(offset, value);
    }

    public void putIntVolatile(int offset, int value) {
        INTS.setVolatile(bytes, offset, value);
    }

    public void getBytes(int offset, byte[] into) {
        bytes.get(offset, into);
    }

    public void putBytes(int offset, byte[] from) {
        bytes.put(offset, from);
    }
}
