package dev.prefork.worker.http;

import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.SegmentLayout;
import dev.prefork.worker.AppCounter;
import dev.prefork.worker.AppGauge;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The application's named counters and gauges, one slot each in the worker's segment. A slot's name is written
 * before its kind (a volatile store), so the master never sees a kind without its name.
 */
final class AppMetrics {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final SegmentBuffer segment;
    private final Map<String, Slot> slots = new HashMap<>();

    AppMetrics(SegmentBuffer segment) {
        this.segment = segment;
    }

    synchronized AppCounter counter(String name) {
        Slot slot = slot(name, SegmentLayout.APP_KIND_COUNTER);
        return new AppCounter() {
            @Override
            public void increment() {
                segment.getAndAddLong(slot.valueOffset, 1);
            }

            @Override
            public void add(long n) {
                if (n < 0) {
                    throw new IllegalArgumentException("counter " + name + " cannot go down (add " + n
                            + "); use a gauge for a level");
                }
                segment.getAndAddLong(slot.valueOffset, n);
            }
        };
    }

    synchronized AppGauge gauge(String name) {
        Slot slot = slot(name, SegmentLayout.APP_KIND_GAUGE);
        return new AppGauge() {
            @Override
            public void set(long value) {
                segment.putLongRelease(slot.valueOffset, value);
            }

            @Override
            public void add(long delta) {
                segment.getAndAddLong(slot.valueOffset, delta);
            }
        };
    }

    private Slot slot(String name, int kind) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' is not [a-zA-Z_][a-zA-Z0-9_]*; give e.g. "
                    + "cache_hits");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SegmentLayout.APP_NAME_MAX_BYTES) {
            throw new IllegalArgumentException("metric name '" + name + "' is " + bytes.length + " bytes, at most "
                    + SegmentLayout.APP_NAME_MAX_BYTES);
        }
        Slot existing = slots.get(name);
        if (existing != null) {
            if (existing.kind != kind) {
                throw new IllegalArgumentException("metric name '" + name + "' is already a "
                        + (existing.kind == SegmentLayout.APP_KIND_COUNTER ? "counter" : "gauge"));
            }
            return existing;
        }
        if (slots.size() == SegmentLayout.APP_SLOTS) {
            throw new IllegalArgumentException("all " + SegmentLayout.APP_SLOTS + " application metrics of this worker "
                    + "are taken (" + slots.keySet() + "); '" + name + "' cannot be added");
        }
        int base = SegmentLayout.appSlotOffset(slots.size());
        segment.putInt(base + SegmentLayout.APP_NAME_LENGTH_OFFSET, bytes.length);
        segment.putBytes(base + SegmentLayout.APP_NAME_OFFSET, bytes);
        segment.putLongVolatile(base + SegmentLayout.APP_VALUE_OFFSET, 0);
        segment.putIntVolatile(base + SegmentLayout.APP_KIND_OFFSET, kind);
        Slot slot = new Slot(kind, base + SegmentLayout.APP_VALUE_OFFSET);
        slots.put(name, slot);
        return slot;
    }

    private record Slot(int kind, int valueOffset) {
    }
}
