package dev.prefork.core.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentReaderTest {
    private static final int ID = 7;
    private static final long PID = 4242;

    @TempDir
    Path dir;
    private WorkerSegment master;
    private WorkerSegment worker;
    private SegmentReader reader;

    @BeforeEach
    void create() throws IOException {
        Path file = dir.resolve("worker-7.seg");
        master = WorkerSegment.create(file, ID);
        reader = new SegmentReader(master, ID, PID);
    }

    private SegmentBuffer attach() throws IOException {
        worker = WorkerSegment.attach(master.path(), ID, PID);
        return worker.buffer();
    }

    @Test
    void fileIsOwnerOnlyAndSizedByTheLayout() throws IOException {
        assertThat(Files.size(master.path())).isEqualTo(SegmentLayout.LENGTH);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(master.path()))).isEqualTo("rw-------");
        assertThat(SegmentLayout.HISTOGRAM_OFFSET % 8).isZero();
        assertThat(SegmentLayout.APP_OFFSET).isGreaterThanOrEqualTo(
                SegmentLayout.bucketOffset(SegmentLayout.BUCKET_COUNT));
    }

    @Test
    void beforeTheWorkerAttachesThereIsNothingToRead() {
        assertThat(reader.read()).isInstanceOf(SegmentReader.NotAttached.class);
        assertThat(reader.last().get(SegmentField.REQUESTS)).isZero();
    }

    @Test
    void readsWhatTheWorkerWroteThroughItsOwnMapping() throws IOException {
        SegmentBuffer b = attach();
        b.getAndAddLong(SegmentField.REQUESTS.offset(), 5);
        b.putLongRelease(SegmentField.HEAP_MAX_BYTES.offset(), -1);
        b.getAndAddLong(SegmentLayout.bucketOffset(SegmentLayout.bucketOf(3_000_000)), 5);
        SegmentReader.Result r = reader.read();
        assertThat(r).isInstanceOf(SegmentReader.Valid.class);
        SegmentSnapshot s = ((SegmentReader.Valid) r).snapshot();
        assertThat(s.get(SegmentField.REQUESTS)).isEqualTo(5);
        assertThat(s.get(SegmentField.HEAP_MAX_BYTES)).isEqualTo(-1);
        assertThat(s.buckets()[1]).isEqualTo(5); // 3 ms is in (1 ms, 5 ms]
        assertThat(s.pid()).isEqualTo(PID);
    }

    @Test
    void attachRefusesAnotherWorkersSegment() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkerSegment.attach(master.path(), ID + 1, PID))
                .isInstanceOf(IOException.class).hasMessageContaining("for worker " + (ID + 1));
    }

    @Test
    void aSegmentStampedByAnotherPidIsRejected() throws IOException {
        attach().putLongVolatile(SegmentLayout.PID_OFFSET, PID + 1);
        assertRejected("pid stamp");
    }

    @ParameterizedTest
    @ValueSource(ints = {SegmentLayout.MAGIC_OFFSET, SegmentLayout.VERSION_OFFSET, SegmentLayout.WORKER_ID_OFFSET,
            SegmentLayout.LENGTH_OFFSET})
    void aScribbledHeaderIsRejected(int offset) throws IOException {
        attach().putInt(offset, 0x0badf00d);
        assertThat(reader.read()).isInstanceOf(SegmentReader.Rejected.class);
    }

    @Test
    void negativeOrAbsurdValuesAreRejected() throws IOException {
        SegmentBuffer b = attach();
        b.putLongVolatile(SegmentField.REQUESTS.offset(), -5);
        assertRejected("REQUESTS");
        b.putLongVolatile(SegmentField.REQUESTS.offset(), 0);
        b.putLongVolatile(SegmentField.LIVE_THREADS.offset(), Long.MAX_VALUE);
        assertRejected("LIVE_THREADS");
        b.putLongVolatile(SegmentField.LIVE_THREADS.offset(), 3);
        b.putLongVolatile(SegmentLayout.bucketOffset(2), -1);
        assertRejected("bucket 2");
    }

    @Test
    void aCounterThatGoesBackIsRejectedAndTheLastGoodSnapshotKept() throws IOException {
        SegmentBuffer b = attach();
        b.putLongVolatile(SegmentField.REQUESTS.offset(), 100);
        assertThat(reader.read()).isInstanceOf(SegmentReader.Valid.class);
        b.putLongVolatile(SegmentField.REQUESTS.offset(), 10);
        assertRejected("went back");
        assertThat(reader.last().get(SegmentField.REQUESTS)).isEqualTo(100);
    }

    @Test
    void badApplicationSlotsAreRejected() throws IOException {
        SegmentBuffer b = attach();
        int base = SegmentLayout.appSlotOffset(3);
        b.putInt(base + SegmentLayout.APP_KIND_OFFSET, 9);
        assertRejected("kind 9");
        b.putInt(base + SegmentLayout.APP_KIND_OFFSET, SegmentLayout.APP_KIND_COUNTER);
        b.putInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET, 500);
        assertRejected("name length");
        byte[] name = "cache hits\n".getBytes(StandardCharsets.UTF_8);
        b.putInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET, name.length);
        b.putBytes(base + SegmentLayout.APP_NAME_OFFSET, name);
        assertRejected("name 'cache hits");
        b.putBytes(base + SegmentLayout.APP_NAME_OFFSET, new byte[] {(byte) 0xff, (byte) 0xfe});
        b.putInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET, 2);
        assertRejected("not UTF-8");
    }

    @Test
    void aTruncatedFileIsRejectedWithoutTouchingTheMapping() throws IOException {
        attach();
        try (RandomAccessFile f = new RandomAccessFile(master.path().toFile(), "rw")) {
            f.setLength(16);
        }
        assertRejected("bytes, expected");
    }

    @Test
    void randomScribblesNeverThrowAndNeverFakeAnotherWorker() throws IOException {
        long seed = Long.getLong("prefork.test.seed", 20261130L);
        System.out.println("SegmentReaderTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        SegmentBuffer b = attach();
        for (int round = 0; round < 2_000; round++) {
            int offset = random.nextInt(SegmentLayout.LENGTH - 8);
            b.putLong(offset, random.nextLong());
            SegmentReader.Result r = reader.read();
            if (r instanceof SegmentReader.Valid valid) {
                assertThat(valid.snapshot().workerId()).isEqualTo(ID);
                assertThat(valid.snapshot().pid()).isEqualTo(PID);
            }
        }
    }

    private void assertRejected(String reason) {
        SegmentReader.Result r = reader.read();
        assertThat(r).isInstanceOf(SegmentReader.Rejected.class);
        assertThat(((SegmentReader.Rejected) r).reason()).contains(reason);
    }
}
