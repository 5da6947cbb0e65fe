package dev.prefork.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentLayout;
import org.junit.jupiter.api.Test;

class ServingStatsTest {
    private final SegmentBuffer segment = SegmentBuffer.inMemory();
    private final ServingStats stats = new ServingStats(segment, 0, null);

    @Test
    void aFinishedRequestLandsInItsStatusClassItsBucketAndTheTotals() {
        long start = stats.requestStarted();
        assertThat(stats.requestsInFlight()).isEqualTo(1);
        stats.requestFinished(start - 30_000_000L, 404); // 30 ms ago
        assertThat(stats.requestsInFlight()).isZero();
        assertThat(stats.requestsTotal()).isEqualTo(1);
        assertThat(segment.getLongVolatile(SegmentField.STATUS_4XX.offset())).isEqualTo(1);
        assertThat(segment.getLongVolatile(SegmentField.STATUS_2XX.offset())).isZero();
        long nanos = segment.getLongVolatile(SegmentField.REQUEST_DURATION_NANOS.offset());
        assertThat(nanos).isGreaterThanOrEqualTo(30_000_000L);
        // Its one bucket is the one of its duration (at least (25 ms, 50 ms], more if this run was slow).
        int bucket = SegmentLayout.bucketOf(nanos);
        assertThat(bucket).isGreaterThanOrEqualTo(SegmentLayout.DURATION_BUCKETS_SECONDS.indexOf(0.05));
        for (int i = 0; i < SegmentLayout.BUCKET_COUNT; i++) {
            assertThat(segment.getLongVolatile(SegmentLayout.bucketOffset(i))).as("bucket " + i).isEqualTo(i == bucket ? 1 : 0);
        }
        stats.bytesReceived(10);
        stats.bytesSent(20);
        assertThat(segment.getLongVolatile(SegmentField.BYTES_RECEIVED.offset())).isEqualTo(10);
        assertThat(segment.getLongVolatile(SegmentField.BYTES_SENT.offset())).isEqualTo(20);
    }
}
