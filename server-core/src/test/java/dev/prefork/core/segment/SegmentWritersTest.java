package dev.prefork.core.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two writers native workers and the exec-worker agent share: {@link JvmSampler} and {@link RequestFigures},
 * written through a mapped segment and read back by the master's validating reader.
 */
class SegmentWritersTest {
    private static final int ID = 3;
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private SegmentReader reader() throws IOException {
        return new SegmentReader(WorkerSegment.create(dir.resolve("worker-3.seg"), ID), ID, PID);
    }

    private SegmentBuffer attach() throws IOException {
        return WorkerSegment.attach(dir.resolve("worker-3.seg"), ID, PID).buffer();
    }

    private static SegmentSnapshot valid(SegmentReader reader) {
        SegmentReader.Result r = reader.read();
        assertThat(r).isInstanceOf(SegmentReader.Valid.class);
        return ((SegmentReader.Valid) r).snapshot();
    }

    @Test
    void theSamplerWritesThisJvmsFiguresAndTheReaderAcceptsThem() throws IOException {
        SegmentReader reader = reader();
        long before = System.currentTimeMillis();

        new JvmSampler(attach()).run();

        SegmentSnapshot s = valid(reader);
        assertThat(s.get(SegmentField.HEAP_USED_BYTES)).isPositive();
        assertThat(s.get(SegmentField.HEAP_COMMITTED_BYTES)).isGreaterThanOrEqualTo(s.get(SegmentField.HEAP_USED_BYTES));
        assertThat(s.get(SegmentField.HEAP_MAX_BYTES)).isGreaterThanOrEqualTo(s.get(SegmentField.HEAP_COMMITTED_BYTES));
        assertThat(s.get(SegmentField.LIVE_THREADS)).isPositive();
        assertThat(s.get(SegmentField.RSS_BYTES)).isGreaterThan(s.get(SegmentField.HEAP_USED_BYTES) / 4).isGreaterThan(10L << 20);
        assertThat(s.get(SegmentField.CPU_NANOS)).isPositive();
        assertThat(s.get(SegmentField.UPTIME_MILLIS)).isPositive();
        assertThat(s.get(SegmentField.JVM_SAMPLED_AT_MILLIS)).isBetween(before, System.currentTimeMillis());
        assertThat(s.get(SegmentField.REQUESTS)).as("the sampler leaves the request figures alone").isZero();
    }

    @Test
    void heapAfterGcIsKnownAfterAFullCollection() throws IOException {
        JvmSampler sampler = new JvmSampler(SegmentBuffer.inMemory());
        System.gc();
        assertThat(sampler.heapAfterGc()).as("after a full collection").isPositive();
    }

    @Test
    void requestsCountInFlightStatusClassesAndTheHistogram() throws IOException {
        SegmentReader reader = reader();
        RequestFigures requests = new RequestFigures(attach());

        long a = requests.started();
        long b = requests.started();
        assertThat(requests.inFlight()).isEqualTo(2);
        assertThat(requests.finished(a, 200)).isEqualTo(1);
        assertThat(requests.finished(b - 2_000_000_000L, 503)).as("served so far").isEqualTo(2);
        requests.finished(requests.started(), 0);

        SegmentSnapshot s = valid(reader);
        assertThat(s.get(SegmentField.REQUESTS)).isEqualTo(3);
        assertThat(s.get(SegmentField.REQUESTS_IN_FLIGHT)).isZero();
        assertThat(s.get(SegmentField.STATUS_2XX)).isEqualTo(1);
        assertThat(s.get(SegmentField.STATUS_5XX)).isEqualTo(1);
        assertThat(s.get(SegmentField.STATUS_1XX) + s.get(SegmentField.STATUS_3XX) + s.get(SegmentField.STATUS_4XX))
                .as("status 0 counts in no class").isZero();
        assertThat(Arrays.stream(s.buckets()).sum()).isEqualTo(3);
        assertThat(s.buckets()[SegmentLayout.bucketOf(2_000_000_000L)]).as("the 2 s request in the 2.5 s bucket").isEqualTo(1);
        assertThat(s.get(SegmentField.REQUEST_DURATION_NANOS)).isGreaterThanOrEqualTo(2_000_000_000L);
    }
}
