package dev.prefork.worker;

/**
 * A named level in this worker's segment, from {@link WorkerContext#gauge}: the master sums it over the live workers
 * as {@code prefork_app_<name>} and shows each worker's as {@code prefork_worker_app_<name>{worker}}. Thread-safe.
 */
public interface AppGauge {
    void set(long value);

    /** Adds {@code delta} (may be negative). */
    void add(long delta);
}
