package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentReader;
import dev.prefork.core.segment.WorkerSegment;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppMetricsCollectorTest {
    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MasterMetrics metrics = new MasterMetrics(registry);

    {
        registry.getPrometheusRegistry().register(metrics.appMetrics());
    }

    private SegmentBuffer worker(int id, long pid, WorkerHandle[] out) throws IOException {
        Path file = dir.resolve("worker-" + id + ".seg");
        WorkerHandle h = new WorkerHandle(id, 0, 1, new FakeProcess(pid), "s", 0, 0);
        h.segment(new SegmentReader(WorkerSegment.create(file, id), id, pid));
        h.connected(new FakeLink());
        metrics.workerConnected(h);
        out[0] = h;
        return WorkerSegment.attach(file, id, pid).buffer();
    }

    private static void slot(SegmentBuffer b, int slot, String name, int kind, long value) {
        int base = SegmentLayout.appSlotOffset(slot);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        b.putInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET, bytes.length);
        b.putBytes(base + SegmentLayout.APP_NAME_OFFSET, bytes);
        b.putLongVolatile(base + SegmentLayout.APP_VALUE_OFFSET, value);
        b.putIntVolatile(base + SegmentLayout.APP_KIND_OFFSET, kind);
    }

    @Test
    void countersAreSummedAndKeptAfterAWorkerGoesGaugesAreSummedOverTheLive() throws IOException {
        WorkerHandle[] w1 = new WorkerHandle[1];
        WorkerHandle[] w2 = new WorkerHandle[1];
        SegmentBuffer a = worker(1, 101, w1);
        SegmentBuffer b = worker(2, 102, w2);
        slot(a, 0, "cache_hits", SegmentLayout.APP_KIND_COUNTER, 5);
        slot(a, 1, "cache_entries", SegmentLayout.APP_KIND_GAUGE, 10);
        slot(b, 0, "cache_entries", SegmentLayout.APP_KIND_GAUGE, 3);
        slot(b, 1, "cache_hits", SegmentLayout.APP_KIND_COUNTER, 7);

        String scrape = registry.scrape();
        assertThat(scrape).contains("prefork_app_cache_hits_total 12.0", "prefork_worker_app_cache_hits_total{worker=\"1\"} 5.0",
                "prefork_worker_app_cache_hits_total{worker=\"2\"} 7.0", "prefork_app_cache_entries 13.0",
                "prefork_worker_app_cache_entries{worker=\"2\"} 3.0", "# TYPE prefork_app_cache_hits_total counter");

        metrics.workerGone(w1[0]);
        scrape = registry.scrape();
        assertThat(scrape).contains("prefork_app_cache_hits_total 12.0", "prefork_app_cache_entries 3.0")
                .doesNotContain("worker=\"1\"");
    }
}
