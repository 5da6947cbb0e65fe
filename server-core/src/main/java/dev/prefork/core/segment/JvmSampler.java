package dev.prefork.core.segment;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples this JVM's own figures into its segment, off the request path (once a second): heap, heap after the last
 * GC, GC count and pause time, threads, direct buffers, CPU time, uptime and RSS. JDK API only, so that both native
 * workers and the exec-worker agent (which carries it relocated into someone else's JVM) use this one sampler.
 * Create it once the worker serves: the management beans cost boot time.
 */
public final class JvmSampler implements Runnable {
    /** How often workers and the agent sample. */
    public static final long PERIOD_MILLIS = 1_000;
    private static final Path STATUS = Path.of("/proc/self/status");

    private final SegmentBuffer segment;
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final BufferPoolMXBean direct;
    private final com.sun.management.OperatingSystemMXBean os =
            ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    public JvmSampler(SegmentBuffer segment) {
        this.segment = segment;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                heapPools.add(pool);
            }
        }
        BufferPoolMXBean found = null;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                found = pool;
            }
        }
        direct = found;
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
