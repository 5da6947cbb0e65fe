package dev.prefork.worker.runtime;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentField;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples the worker JVM's own figures into its segment, off the request path (the control loop, once a second):
 * heap, heap after the last GC, GC count and pause time, threads, direct buffers, CPU time, uptime, RSS, and the
 * event-loop lag.
 */
final class JvmSampler implements Runnable {
    private static final Path STATUS = Path.of("/proc/self/status");

    private final SegmentBuffer segment;
    private final LoopLagMonitor lag;
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()).toList();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct")).findFirst().orElse(null);
    private final com.sun.management.OperatingSystemMXBean os =
            ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    JvmSampler(SegmentBuffer segment, LoopLagMonitor lag) {
        this.segment = segment;
        this.lag = lag;
    }

    @Override
    public void run() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        put(SegmentField.HEAP_USED_BYTES, heap.getUsed());
        put(SegmentField.HEAP_COMMITTED_BYTES, heap.getCommitted());
        put(SegmentField.HEAP_MAX_BYTES, heap.getMax());
        put(SegmentField.HEAP_AFTER_GC_BYTES, heapAfterGc());
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        put(SegmentField.GC_COLLECTIONS, count);
        put(SegmentField.GC_PAUSE_MILLIS, millis);
        put(SegmentField.LIVE_THREADS, ManagementFactory.getThreadMXBean().getThreadCount());
        put(SegmentField.DIRECT_BUFFER_BYTES, direct == null ? 0 : Math.max(0, direct.getMemoryUsed()));
        put(SegmentField.CPU_NANOS, Math.max(0, os.getProcessCpuTime()));
        put(SegmentField.UPTIME_MILLIS, ManagementFactory.getRuntimeMXBean().getUptime());
        put(SegmentField.RSS_BYTES, rssBytes());
        if (lag != null) {
            put(SegmentField.LOOP_LAG_MILLIS, lag.maxLagMillis());
        }
        put(SegmentField.JVM_SAMPLED_AT_MILLIS, System.currentTimeMillis());
    }

    /** Sum over the heap pools of their usage after their last collection; -1 before any collection. */
    long heapAfterGc() {
        long total = 0;
        boolean any = false;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage after = pool.getCollectionUsage();
            if (after != null) {
                total += after.getUsed();
                any |= after.getUsed() > 0 || after.getCommitted() > 0;
            }
        }
        return any ? total : -1;
    }

    /** VmRSS from /proc/self/status, bytes; 0 when unreadable. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private void put(SegmentField field, long value) {
        segment.putLongRelease(field.offset(), value);
    }
}
