package dev.prefork.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.segment.AppMetric;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.WorkerSegment;
import dev.prefork.worker.AppCounter;
import dev.prefork.worker.AppGauge;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppMetricsTest {
    @TempDir
    Path dir;

    @Test
    void countersAndGaugesReachTheMastersReaderByName() throws IOException {
        WorkerSegment master = WorkerSegment.create(dir.resolve("worker-3.seg"), 3);
        AppMetrics metrics = new AppMetrics(WorkerSegment.attach(master.path(), 3, 99).buffer());
        AppCounter hits = metrics.counter("cache_hits");
        AppGauge entries = metrics.gauge("cache_entries");
        hits.increment();
        hits.add(4);
        entries.set(10);
        entries.add(-3);
        assertThat(metrics.counter("cache_hits")).as("same name, same slot").isNotNull();
        metrics.counter("cache_hits").increment();

        SegmentReader.Result r = new SegmentReader(master, 3, 99).read();
        assertThat(r).isInstanceOf(SegmentReader.Valid.class);
        assertThat(((SegmentReader.Valid) r).snapshot().app()).containsExactly(
                new AppMetric("cache_hits", true, 6), new AppMetric("cache_entries", false, 7));
    }

    @Test
    void badNamesKindClashesNegativeAddsAndTheSlotBoundAreRefused() {
        AppMetrics metrics = new AppMetrics(dev.prefork.core.segment.SegmentBuffer.inMemory());
        assertThatThrownBy(() -> metrics.counter("cache hits")).hasMessageContaining("[a-zA-Z_]");
        assertThatThrownBy(() -> metrics.counter("x".repeat(49))).hasMessageContaining("at most 48");
        metrics.counter("requests");
        assertThatThrownBy(() -> metrics.gauge("requests")).hasMessageContaining("already a counter");
        assertThatThrownBy(() -> metrics.counter("requests").add(-1)).hasMessageContaining("cannot go down");
        for (int i = 1; i < SegmentLayout.APP_SLOTS; i++) {
            metrics.gauge("g" + i);
        }
        assertThatThrownBy(() -> metrics.gauge("one_more")).hasMessageContaining("all 64");
    }
}
