package dev.prefork.master.supervisor;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The live workers by id, worker ids (increasing integers) and slots. Pure bookkeeping: no I/O. Used by the
 * supervision thread only.
 */
final class WorkerPool {
    private final Map<Integer, WorkerHandle> live = new LinkedHashMap<>();
    private int lastId;

    int nextId() {
        return ++lastId;
    }

    void add(WorkerHandle handle) {
        live.put(handle.id(), handle);
    }

    void remove(WorkerHandle handle) {
        live.remove(handle.id());
    }

    WorkerHandle get(int id) {
        return live.get(id);
    }

    /** Live workers in spawn order. */
    List<WorkerHandle> all() {
        return new ArrayList<>(live.values());
    }

    List<WorkerHandle> where(Predicate<WorkerHandle> filter) {
        List<WorkerHandle> out = new ArrayList<>();
        for (WorkerHandle h : live.values()) {
            if (filter.test(h)) {
                out.add(h);
            }
        }
        return out;
    }

    int count(Predicate<WorkerHandle> filter) {
        int n = 0;
        for (WorkerHandle h : live.values()) {
            if (filter.test(h)) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return live.size();
    }

    boolean isEmpty() {
        return live.isEmpty();
    }

    /** Workers that count towards capacity, oldest first. */
    List<WorkerHandle> capacity() {
        return where(WorkerHandle::isCapacity);
    }

    /** The roll replacement still booting, if any (at most one at a time). */
    WorkerHandle replacementInFlight() {
        for (WorkerHandle h : live.values()) {
            if (isBootingReplacement(h)) {
                return h;
            }
        }
        return null;
    }

    /** The newest capacity worker. */
    WorkerHandle newestCapacity() {
        return capacity().stream().max(Comparator.comparingInt(WorkerHandle::id)).orElse(null);
    }

    /** The capacity worker in the highest slot, the newest of them if several share it. */
    WorkerHandle highestSlotCapacity() {
        return capacity().stream()
                .max(Comparator.comparingInt(WorkerHandle::slot).thenComparingInt(WorkerHandle::id))
                .orElse(null);
    }

    /** The highest slot a worker that stays holds (capacity or roll replacement), or -1. */
    int highestHeldSlot() {
        int highest = -1;
        for (WorkerHandle h : live.values()) {
            if (holdsSlot(h)) {
                highest = Math.max(highest, h.slot());
            }
        }
        return highest;
    }

    private static boolean holdsSlot(WorkerHandle h) {
        return h.isCapacity() || isBootingReplacement(h);
    }

    /** A roll replacement not yet ready: it holds its old worker's slot but is not capacity yet. */
    private static boolean isBootingReplacement(WorkerHandle h) {
        return h.replacing() != null && h.isLive() && !h.state().isLeaving();
    }

    /** Lowest slot not held by a capacity worker or a roll replacement; a replacement reuses its old one's slot. */
    int freeSlot() {
        BitSet used = new BitSet();
        for (WorkerHandle h : live.values()) {
            if (holdsSlot(h)) {
                used.set(h.slot());
            }
        }
        return used.nextClearBit(0);
    }

    boolean anyReady() {
        for (WorkerHandle h : live.values()) {
            if (h.state() == WorkerState.READY) {
                return true;
            }
        }
        return false;
    }

    /** The workers the stale generation or a recycle request marks for a roll, oldest first. */
    List<WorkerHandle> staleReady(long currentGeneration) {
        return where(h -> h.isCapacity() && h.state() == WorkerState.READY
                && (h.generation() < currentGeneration || h.recycleRequested()));
    }
}
