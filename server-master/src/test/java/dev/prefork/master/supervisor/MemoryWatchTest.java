package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ConfigOption;
import dev.prefork.core.config.ConfigResolver;
import dev.prefork.core.config.MemoryLimit;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.core.segment.SegmentSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryWatchTest {
    private static final long MIB = 1 << 20;

    private static SegmentSnapshot figures(long heapMax, long afterGc, long used, long rss) {
        long[] f = new long[SegmentField.values().length];
        f[SegmentField.HEAP_MAX_BYTES.ordinal()] = heapMax;
        f[SegmentField.HEAP_AFTER_GC_BYTES.ordinal()] = afterGc;
        f[SegmentField.HEAP_USED_BYTES.ordinal()] = used;
        f[SegmentField.RSS_BYTES.ordinal()] = rss;
        return new SegmentSnapshot(1, 42, f, new long[SegmentLayout.BUCKET_COUNT], List.of());
    }

    private static ServerConfig config(MemoryLimit heap, long rss) {
        return ArbiterRig.config().maxWorkerHeap(heap).maxWorkerRss(rss).build();
    }

    @Test
    void percentIsOfTheWorkersHeapLimitAndCountsOnlyHeapAfterGc() {
        ServerConfig c = config(new MemoryLimit(0, 50), 0);
        // Lots of garbage (heap used near max) but little live after GC: no recycle.
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, 100 * MIB, 250 * MIB, 0), c)).isNull();
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, 129 * MIB, 130 * MIB, 0), c))
                .contains("129.0 MiB of heap in use after GC").contains("50%").contains("128.0 MiB of a 256.0 MiB heap");
        // Before any GC (-1) nothing is known: no recycle.
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, -1, 250 * MIB, 0), c)).isNull();
    }

    @Test
    void bytesAndRss() {
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, 65 * MIB, 0, 0), config(new MemoryLimit(64 * MIB, 0), 0)))
                .contains("over --max-worker-heap " + 64 * MIB);
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, 10 * MIB, 0, 301 * MIB), config(MemoryLimit.OFF, 300 * MIB)))
                .contains("resident set of 301.0 MiB");
        assertThat(MemoryWatch.overLimit(figures(256 * MIB, 10 * MIB, 0, 299 * MIB), config(MemoryLimit.OFF, 300 * MIB)))
                .isNull();
    }

    @Test
    void optionsParseBytesSuffixesAndPercents() {
        ServerConfig c = new ConfigResolver(java.util.Map.of(ConfigOption.MAX_WORKER_HEAP, List.of("80%"),
                ConfigOption.MAX_WORKER_RSS, List.of("512m")), "app.Main", ServerConfig::builder).resolve(java.util.Map.of());
        assertThat(c.maxWorkerHeap()).isEqualTo(new MemoryLimit(0, 80));
        assertThat(c.maxWorkerRss()).isEqualTo(512 * MIB);
        ServerConfig env = new ConfigResolver(java.util.Map.of(), "app.Main", ServerConfig::builder)
                .resolve(java.util.Map.of("PREFORK_MAX_WORKER_HEAP", "1g"));
        assertThat(env.maxWorkerHeap()).isEqualTo(new MemoryLimit(1024 * MIB, 0));
        for (String bad : List.of("0%", "101%", "12x", "-5", "lots")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ConfigResolver(
                            java.util.Map.of(ConfigOption.MAX_WORKER_HEAP, List.of(bad)), "app.Main", ServerConfig::builder)
                            .resolve(java.util.Map.of()))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("--max-worker-heap");
        }
    }
}
