package dev.prefork.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounded keep-alive load: {@code threads} clients, each sending GETs in turn on its own keep-alive connection
 * (every 10th one {@code /sleep?ms=50}, so that requests are in flight whenever something happens). Every
 * response is counted in the phase current when it completed, per {@code X-Served-By}; a socket error or a
 * non-2xx response is a failure. A client reconnects only when the server said {@code Connection: close} or
 * after a failure.
 */
final class PhasedLoad implements AutoCloseable {
    /** Counts of one phase. */
    static final class Phase {
        final String name;
        final long startNanos;
        volatile long endNanos;
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();

        Phase(String name, long startNanos) {
            this.name = name;
            this.startNanos = startNanos;
        }

        long servedBy(String server) {
            LongAdder n = servedBy.get(server);
            return n == null ? 0 : n.sum();
        }

        long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private final int port;
    private final List<Thread> clients = new ArrayList<>();
    private final List<Phase> phases = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong reconnects = new AtomicLong();
    private volatile Phase current;
    private volatile boolean running = true;

    private PhasedLoad(int port, String firstPhase) {
        this.port = port;
        phase(firstPhase);
    }

    static PhasedLoad start(int port, int threads, String firstPhase) {
        PhasedLoad load = new PhasedLoad(port, firstPhase);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(load::run, "load-" + i);
            t.setDaemon(true);
            load.clients.add(t);
            t.start();
        }
        return load;
    }

    /** Ends the current phase and starts the next one. */
    void phase(String name) {
        long now = System.nanoTime();
        Phase previous = current;
        if (previous != null) {
            previous.endNanos = now;
        }
        Phase next = new Phase(name, now);
        phases.add(next);
        current = next;
    }

    Phase currentPhase() {
        return current;
    }

    private void run() {
        long sent = 0;
        KeepAliveConnection connection = null;
        while (running) {
            String path = ++sent % 10 == 0 ? "/sleep?ms=50" : "/";
            try {
                if (connection == null) {
                    connection = new KeepAliveConnection(port, 10_000);
                    reconnects.incrementAndGet();
                }
                RawHttp.Response r = connection.get(path);
                Phase phase = current;
                if (r.status() / 100 == 2) {
                    phase.ok.increment();
                    String server = r.header("X-Served-By");
                    phase.servedBy.computeIfAbsent(server == null ? "?" : server, k -> new LongAdder()).increment();
                } else {
                    fail(phase, "GET " + path + " -> " + r.status() + " " + r.body().trim());
                }
                if ("close".equalsIgnoreCase(r.header("Connection"))) {
                    connection.close();
                    connection = null;
                }
            } catch (IOException | RuntimeException e) {
                fail(current, "GET " + path + " -> " + e);
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void fail(Phase phase, String what) {
        phase.failed.increment();
        if (failures.size() < 20) {
            failures.add("[" + phase.name + "] " + what);
        }
    }

    /** Stops the clients (each finishes its request) and ends the last phase; returns the phases in order. */
    List<Phase> stop() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(15_000);
        }
        current.endNanos = System.nanoTime();
        return List.copyOf(phases);
    }

    /** The first failures (at most 20), with their phase. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    long connectionsOpened() {
        return reconnects.get();
    }

    /** Totals over the phases from {@code first} to {@code last}, inclusive: "ok", "failed" and per server. */
    static Map<String, Long> totals(List<Phase> phases, String first, String last) {
        Map<String, Long> sum = new LinkedHashMap<>();
        boolean in = false;
        for (Phase p : phases) {
            in |= p.name.equals(first);
            if (in) {
                sum.merge("ok", p.ok.sum(), Long::sum);
                sum.merge("failed", p.failed.sum(), Long::sum);
                sum.merge("ms", p.millis(), Long::sum);
                p.servedBy.forEach((server, n) -> sum.merge(server, n.sum(), Long::sum));
            }
            if (p.name.equals(last)) {
                break;
            }
        }
        return sum;
    }

    @Override
    public void close() {
        running = false;
        clients.forEach(Thread::interrupt);
    }
}
