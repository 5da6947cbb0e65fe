package dev.prefork.master.supervisor;

import dev.prefork.core.MetricNames;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --max-worker-heap} and {@code --max-worker-rss}, checked on every tick from the workers' segments: a ready
 * worker over a limit is marked for recycling, and the pool planner replaces it in the same one-at-a-time roll as
 * {@code --max-requests} (restart reason {@code memory}). The heap figure is the heap in use right after the last
 * GC, so garbage alone never triggers it.
 */
final class MemoryWatch {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryWatch.class);

    private final WorkerPool pool;

    MemoryWatch(WorkerPool pool) {
        this.pool = pool;
    }

    void check(ServerConfig config) {
        if (config.maxWorkerHeap().isOff() && config.maxWorkerRss() == 0) {
            return;
        }
        for (WorkerHandle h : pool.all()) {
            if (h.state() != WorkerState.READY || h.recycleRequested()) {
                continue;
            }
            String why = overLimit(h.figures(), config);
            if (why != null) {
                h.requestRecycle(MetricNames.REASON_MEMORY);
                LOG.info("{} {}; recycling it in turn", h, why);
            }
        }
    }

    /** Why the figures break a limit, or null. */
    static String overLimit(SegmentSnapshot s, ServerConfig config) {
        long heapMax = s.get(SegmentField.HEAP_MAX_BYTES);
        long heapLimit = config.maxWorkerHeap().bytesOf(heapMax);
        long afterGc = s.get(SegmentField.HEAP_AFTER_GC_BYTES);
        if (heapLimit > 0 && afterGc > heapLimit) {
            return "has " + mib(afterGc) + " of heap in use after GC, over --max-worker-heap " + config.maxWorkerHeap()
                    + " (" + mib(heapLimit) + " of a " + mib(heapMax) + " heap)";
        }
        long rss = s.get(SegmentField.RSS_BYTES);
        if (config.maxWorkerRss() > 0 && rss > config.maxWorkerRss()) {
            return "has a resident set of " + mib(rss) + ", over --max-worker-rss " + mib(config.maxWorkerRss());
        }
        return null;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
