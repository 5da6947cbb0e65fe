package dev.prefork.core.segment;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The master's validating reader of one worker's segment. A worker runs application code that could scribble over
 * its own segment: whatever is there, {@link #read} returns a validated snapshot or says why it refused it, and
 * never throws. It also keeps the last accepted snapshot, so a counter that went backwards is refused as garbage.
 */
public final class SegmentReader {
    /** What a read found. */
    public sealed interface Result {
    }

    /** A sane segment. */
    public record Valid(SegmentSnapshot snapshot) implements Result {
    }

    /** The worker has not stamped its pid yet: nothing to read, nothing wrong. */
    public record NotAttached() implements Result {
    }

    /** The segment fails validation; {@code reason} says which check. */
    public record Rejected(String reason) implements Result {
    }

    /** Prometheus-safe names, so an application name cannot break the exposition format. */
    static final Pattern APP_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Larger than any real figure (8 EiB / 1000): a value past it is a scribble. */
    private static final long SANE_MAX = Long.MAX_VALUE / 1000;

    private final WorkerSegment segment;
    private final int workerId;
    private final long pid;
    private SegmentSnapshot last;

    public SegmentReader(WorkerSegment segment, int workerId, long pid) {
        this.segment = segment;
        this.workerId = workerId;
        this.pid = pid;
    }

    /**
     * A reader of the same segment that expects {@code otherPid}'s stamp: an exec worker's JVM started by a launcher
     * script is a descendant of the process the master spawned, and its agent stamps its own pid.
     */
    public SegmentReader forPid(long otherPid) {
        return new SegmentReader(segment, workerId, otherPid);
    }

    /** Deletes the segment file (the worker is gone; its mapping stays valid until collected). */
    public void delete() {
        try {
            Files.deleteIfExists(segment.path());
        } catch (IOException e) {
            // The control directory's removal at exit takes it.
        }
    }

    /** The last snapshot that passed validation, or an empty one. */
    public synchronized SegmentSnapshot last() {
        return last != null ? last : SegmentSnapshot.empty(workerId);
    }

    public synchronized Result read() {
        try {
            // A truncated file would fault (SIGBUS) on access through the mapping: check its length first.
            long size = Files.size(segment.path());
            if (size < SegmentLayout.LENGTH) {
                return new Rejected("file is " + size + " bytes, expected " + SegmentLayout.LENGTH);
            }
            Result result = validate(segment.buffer());
            if (result instanceof Valid valid) {
                last = valid.snapshot();
            }
            return result;
        } catch (IOException e) {
            return new Rejected("cannot stat the segment file: " + e);
        } catch (RuntimeException | InternalError e) {
            // InternalError: HotSpot's answer to a fault in an unsafe access (file truncated between the checks).
            return new Rejected("reading failed: " + e);
        }
    }

    private Result validate(SegmentBuffer b) {
        if (b.getLongVolatile(SegmentLayout.MAGIC_OFFSET) != SegmentLayout.MAGIC) {
            return new Rejected("bad magic");
        }
        if (b.getInt(SegmentLayout.VERSION_OFFSET) != SegmentLayout.VERSION) {
            return new Rejected("layout version " + b.getInt(SegmentLayout.VERSION_OFFSET) + ", expected "
                    + SegmentLayout.VERSION);
        }
        if (b.getInt(SegmentLayout.LENGTH_OFFSET) != SegmentLayout.LENGTH) {
            return new Rejected("length field " + b.getInt(SegmentLayout.LENGTH_OFFSET));
        }
        if (b.getInt(SegmentLayout.WORKER_ID_OFFSET) != workerId) {
            return new Rejected("worker id " + b.getInt(SegmentLayout.WORKER_ID_OFFSET) + ", expected " + workerId);
        }
        long stamped = b.getLongVolatile(SegmentLayout.PID_OFFSET);
        if (stamped == 0) {
            return new NotAttached();
        }
        if (stamped != pid) {
            return new Rejected("pid stamp " + stamped + ", expected " + pid);
        }
        SegmentField[] all = SegmentField.values();
        long[] fields = new long[all.length];
        for (SegmentField f : all) {
            long v = b.getLongVolatile(f.offset());
            // -1 means "unknown" for a few gauges (no heap limit, no GC yet).
            if (v < -1 || v > SANE_MAX || (f.kind() == SegmentField.Kind.COUNTER && v < 0)) {
                return new Rejected(f + " = " + v);
            }
            if (f.kind() == SegmentField.Kind.COUNTER && last != null && v < last.get(f)) {
                return new Rejected(f + " went back from " + last.get(f) + " to " + v);
            }
            fields[f.ordinal()] = v;
        }
        long[] buckets = new long[SegmentLayout.BUCKET_COUNT];
        for (int i = 0; i < buckets.length; i++) {
            long v = b.getLongVolatile(SegmentLayout.bucketOffset(i));
            if (v < 0 || v > SANE_MAX || (last != null && v < last.buckets()[i])) {
                return new Rejected("histogram bucket " + i + " = " + v);
            }
            buckets[i] = v;
        }
        List<AppMetric> app = new ArrayList<>();
        for (int slot = 0; slot < SegmentLayout.APP_SLOTS; slot++) {
            int base = SegmentLayout.appSlotOffset(slot);
            int kind = b.getIntVolatile(base + SegmentLayout.APP_KIND_OFFSET);
            if (kind == SegmentLayout.APP_KIND_FREE) {
                continue;
            }
            if (kind != SegmentLayout.APP_KIND_COUNTER && kind != SegmentLayout.APP_KIND_GAUGE) {
                return new Rejected("application slot " + slot + " kind " + kind);
            }
            int length = b.getInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET);
            if (length < 1 || length > SegmentLayout.APP_NAME_MAX_BYTES) {
                return new Rejected("application slot " + slot + " name length " + length);
            }
            byte[] raw = new byte[length];
            b.getBytes(base + SegmentLayout.APP_NAME_OFFSET, raw);
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                return new Rejected("application slot " + slot + " name is not UTF-8");
            }
            if (!APP_NAME.matcher(name).matches()) {
                return new Rejected("application slot " + slot + " name '" + name + "'");
            }
            boolean counter = kind == SegmentLayout.APP_KIND_COUNTER;
            long value = b.getLongVolatile(base + SegmentLayout.APP_VALUE_OFFSET);
            if (counter && value < 0) {
                return new Rejected("application counter " + name + " = " + value);
            }
            app.add(new AppMetric(name, counter, value));
        }
        return new Valid(new SegmentSnapshot(workerId, stamped, fields, buckets, List.copyOf(app)));
    }
}
