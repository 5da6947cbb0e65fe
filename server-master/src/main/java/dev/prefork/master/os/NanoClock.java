package dev.prefork.master.os;

/**
 * The master's monotonic clock in nanoseconds ({@link System#nanoTime()} in production): deadlines, backoff and
 * loop health are measured on it, and tests move a fake one by hand instead of sleeping.
 */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanos();
}
