package dev.prefork.worker;

/**
 * A named counter in this worker's segment, from {@link WorkerContext#counter}: the master sums it over the
 * workers (those gone included, so it never goes down) as {@code prefork_app_<name>_total} and shows each worker's
 * as {@code prefork_worker_app_<name>_total{worker}}. Thread-safe; one atomic add per call, no allocation.
 */
public interface AppCounter {
    void increment();

    /** Adds {@code n}, which must not be negative (a counter never goes down). */
    void add(long n);
}
