package dev.prefork.core.segment;

/** A named application figure read from a worker segment: a counter (never decreasing) or a gauge. */
public record AppMetric(String name, boolean counter, long value) {
}
