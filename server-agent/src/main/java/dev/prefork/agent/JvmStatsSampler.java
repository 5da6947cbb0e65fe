package dev.prefork.agent;

import dev.prefork.core.control.ControlMessage;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.List;

/** Reads the worker JVM's figures for the master. Created after Ready: management beans cost boot time. */
final class JvmStatsSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    ControlMessage.JvmStats sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new ControlMessage.JvmStats(heap.getUsed(), heap.getCommitted(), heap.getMax(), count, millis,
                threads.getThreadCount());
    }
}
