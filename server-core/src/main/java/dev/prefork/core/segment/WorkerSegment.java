package dev.prefork.core.segment;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One worker's segment file, memory-mapped: the master {@link #create}s it before spawning the worker, the worker
 * {@link #attach}es to it (its path comes in the worker's arguments) and stamps its pid. Each worker has its own
 * file, so a worker can only ever write its own figures. The mapping lives until the garbage collector frees it
 * (the JDK has no public unmap); a segment is a few KiB, mapped once per worker.
 */
public final class WorkerSegment {
    private final Path path;
    private final SegmentBuffer buffer;

    private WorkerSegment(Path path, MappedByteBuffer mapped) {
        this.path = path;
        this.buffer = new SegmentBuffer(mapped);
    }

    /** Master: creates {@code path} (0600, must not exist), sized and stamped with the layout and the worker id. */
    public static WorkerSegment create(Path path, int workerId) throws IOException {
        try (FileChannel channel = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            // Written through the channel, not the mapping, so the file is whole before anyone maps it.
            channel.write(java.nio.ByteBuffer.allocate(SegmentLayout.LENGTH), 0);
            WorkerSegment segment = new WorkerSegment(path, channel.map(FileChannel.MapMode.READ_WRITE, 0,
                    SegmentLayout.LENGTH));
            segment.buffer.putInt(SegmentLayout.VERSION_OFFSET, SegmentLayout.VERSION);
            segment.buffer.putInt(SegmentLayout.WORKER_ID_OFFSET, workerId);
            segment.buffer.putInt(SegmentLayout.LENGTH_OFFSET, SegmentLayout.LENGTH);
            segment.buffer.putLongVolatile(SegmentLayout.MAGIC_OFFSET, SegmentLayout.MAGIC);
            return segment;
        }
    }

    /**
     * Worker: maps the segment the master made for {@code workerId} and stamps {@code pid} into it. Throws
     * IOException naming the file when it is missing, too short or made for another worker or layout.
     */
    public static WorkerSegment attach(Path path, int workerId, long pid) throws IOException {
        long size = Files.size(path);
        if (size < SegmentLayout.LENGTH) {
            throw new IOException("worker segment " + path + " is " + size + " bytes, layout " + SegmentLayout.VERSION
                    + " needs " + SegmentLayout.LENGTH + "; the master and worker jars differ");
        }
        WorkerSegment segment;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // The mapping outlives the channel.
            segment = new WorkerSegment(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, SegmentLayout.LENGTH));
        }
        SegmentBuffer b = segment.buffer;
        if (b.getLongVolatile(SegmentLayout.MAGIC_OFFSET) != SegmentLayout.MAGIC
                || b.getInt(SegmentLayout.VERSION_OFFSET) != SegmentLayout.VERSION
                || b.getInt(SegmentLayout.WORKER_ID_OFFSET) != workerId) {
            throw new IOException("worker segment " + path + " is not a layout-" + SegmentLayout.VERSION
                    + " segment for worker " + workerId + "; the master and worker jars differ");
        }
        b.putLongVolatile(SegmentLayout.PID_OFFSET, pid);
        return segment;
    }

    public Path path() {
        return path;
    }

    public SegmentBuffer buffer() {
        return buffer;
    }

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("worker segments assume a little-endian machine");
        }
    }
}
