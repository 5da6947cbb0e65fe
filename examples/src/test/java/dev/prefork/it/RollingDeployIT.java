package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling deploy with real parts: HAProxy (the Kubernetes Service) in front of two Prefork instances, checking
 * each one's {@code /readyz} every 500 ms. Under keep-alive load through HAProxy, instance a gets TERM with a
 * drain delay (2 s) longer than the check interval; once it has exited 0 it is started again on the same ports;
 * then the same for b. The client must see zero failed requests, and HAProxy must never have had to retry.
 * The script {@code bench/rolling-deploy} runs the same roll with wrk for people.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RollingDeployIT {
    private static final int WORKERS = 2;
    private static final int CLIENTS = 8;
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(2);
    private static final Duration GRACEFUL_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> NAMES = List.of("a", "b");
    /** The master's log lines of the drain, with their timings. */
    private static final Pattern DRAIN_STEP = Pattern.compile("Arbiter - .*(TERM|drain step|master exits)|drained in");

    @TempDir
    Path dir;

    private final List<MasterProcess> started = new ArrayList<>();
    private HaproxyProcess haproxy;
    private PhasedLoad load;

    @AfterEach
    void killEverything() {
        if (load != null) {
            load.close();
        }
        if (haproxy != null) {
            haproxy.close();
        }
        started.forEach(MasterProcess::close);
    }

    @Test
    void aRollingDeployBehindHaproxyFailsNoRequest() throws Exception {
        HaproxyProcess.binary(); // fail fast, naming the remedy, before any JVM starts
        Map<String, MasterProcess> instances = new LinkedHashMap<>();
        for (String name : NAMES) {
            instances.put(name, start(MasterProcess.freePort(), MasterProcess.freePort()));
        }
        List<HaproxyProcess.Backend> backends = new ArrayList<>();
        for (String name : NAMES) {
            MasterProcess m = instances.get(name).awaitReady(WORKERS);
            backends.add(new HaproxyProcess.Backend(name, m.port, m.adminPort));
        }
        haproxy = HaproxyProcess.start(dir, CHECK_INTERVAL, backends); // assigned first: teardown must kill it
        haproxy.awaitUp("a", "b");

        load = PhasedLoad.start(haproxy.port, CLIENTS, "steady");
        awaitServed("a", 20);
        awaitServed("b", 20);
        Map<String, Long> drainMillis = new LinkedHashMap<>();
        Map<String, Integer> exitCodes = new LinkedHashMap<>();
        Map<String, MasterProcess> stopped = new LinkedHashMap<>();
        for (String name : NAMES) {
            MasterProcess old = instances.get(name);
            load.phase(name + ": TERM -> exit");
            long term = System.nanoTime();
            old.signal("TERM");
            exitCodes.put(name, old.waitForExit(DRAIN_DELAY.plus(GRACEFUL_TIMEOUT).plusSeconds(10)));
            drainMillis.put(name, (System.nanoTime() - term) / 1_000_000);
            stopped.put(name, old);

            load.phase(name + ": exit -> serving");
            MasterProcess fresh = start(old.port, old.adminPort);
            instances.put(name, fresh.awaitReady(WORKERS));
            haproxy.awaitStatus(name, "UP", Duration.ofSeconds(10));

            load.phase(name + ": back");
            awaitServed(name, 20);
        }
        load.phase("after");
        awaitServed("a", 20);
        awaitServed("b", 20);
        List<PhasedLoad.Phase> phases = load.stop();

        String report = report(phases, drainMillis, exitCodes, stopped);
        System.out.println(report);
        assertThat(load.failures()).as("failed requests\n%s", report).isEmpty();
        assertThat(exitCodes).as("exit codes after TERM\n%s", report).containsOnly(Map.entry("a", 0), Map.entry("b", 0));
        for (PhasedLoad.Phase p : phases) {
            assertThat(p.ok.sum()).as("requests served in phase '%s'\n%s", p.name, report).isPositive();
        }
        for (String name : NAMES) {
            String other = name.equals("a") ? "b" : "a";
            PhasedLoad.Phase draining = phase(phases, name + ": TERM -> exit");
            // Requests that reached the instance after TERM, before HAProxy noticed /readyz 503, were served.
            assertThat(draining.servedBy(name)).as("served by %s while it drained\n%s", name, report).isPositive();
            assertThat(draining.servedBy(other)).as("served by %s while %s drained\n%s", other, name, report)
                    .isPositive();
            assertThat(drainMillis.get(name)).as("%s: TERM -> exit (ms)\n%s", name, report)
                    .isGreaterThanOrEqualTo(DRAIN_DELAY.toMillis())
                    .isLessThan(DRAIN_DELAY.plus(GRACEFUL_TIMEOUT).toMillis());
        }
        // The drain alone did it: HAProxy never had to retry or redispatch a request, and no backend
        // connection failed. Keep-alive to the instances was in use (connections reused).
        for (String field : List.of("econ", "eresp", "wretr", "wredis")) {
            assertThat(haproxy.counter("prefork", "BACKEND", field)).as("HAProxy backend %s\n%s", field, report)
                    .isZero();
        }
        assertThat(haproxy.counter("prefork", "BACKEND", "reuse")).as("HAProxy backend connection reuses\n%s",
                report).isPositive();
    }

    private MasterProcess start(int port, int adminPort) throws Exception {
        MasterProcess m = MasterProcess.startOn(port, adminPort, "--workers", Integer.toString(WORKERS),
                "--drain-delay", Long.toString(DRAIN_DELAY.toSeconds()),
                "--graceful-timeout", Long.toString(GRACEFUL_TIMEOUT.toSeconds()));
        started.add(m);
        return m;
    }

    /** Waits until {@code server} served {@code n} requests in the current phase. */
    private void awaitServed(String server, int n) {
        await(server + " serves " + n + " requests through HAProxy").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> load.currentPhase().servedBy(server) >= n);
    }

    private static PhasedLoad.Phase phase(List<PhasedLoad.Phase> phases, String name) {
        return phases.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow();
    }

    private String report(List<PhasedLoad.Phase> phases, Map<String, Long> drainMillis,
                          Map<String, Integer> exitCodes, Map<String, MasterProcess> stopped) {
        StringBuilder r = new StringBuilder("rolling deploy behind HAProxy (" + CLIENTS + " keep-alive clients, "
                + WORKERS + " workers per instance, drain delay " + DRAIN_DELAY.toSeconds() + " s, checks every "
                + CHECK_INTERVAL.toMillis() + " ms)\n");
        r.append(String.format("%-22s %7s %8s %7s %7s %7s%n", "phase", "ms", "served", "by a", "by b", "failed"));
        for (PhasedLoad.Phase p : phases) {
            r.append(String.format("%-22s %7d %8d %7d %7d %7d%n", p.name, p.millis(), p.ok.sum(), p.servedBy("a"),
                    p.servedBy("b"), p.failed.sum()));
        }
        Map<String, Long> roll = PhasedLoad.totals(phases, "a: TERM -> exit", "b: exit -> serving");
        r.append(String.format("%-22s %7d %8d %7d %7d %7d%n", "the roll", roll.get("ms"), roll.get("ok"),
                roll.getOrDefault("a", 0L), roll.getOrDefault("b", 0L), roll.get("failed")));
        drainMillis.forEach((name, ms) -> {
            r.append(name).append(": TERM -> exit ").append(ms).append(" ms, exit code ").append(exitCodes.get(name))
                    .append('\n');
            stopped.get(name).logText().lines().filter(l -> DRAIN_STEP.matcher(l).find())
                    .forEach(l -> r.append("    ").append(l, 0, Math.min(l.length(), 200)).append('\n'));
        });
        r.append("client connections opened: ").append(load.connectionsOpened()).append('\n');
        r.append("HAProxy backend:");
        for (String field : List.of("connect", "reuse", "econ", "eresp", "wretr", "wredis", "hrsp_5xx")) {
            r.append(' ').append(field).append('=').append(haproxy.stats("prefork", "BACKEND")
                    .map(s -> s.getOrDefault(field, "?")).orElse("?"));
        }
        r.append('\n');
        load.failures().forEach(f -> r.append("  failure ").append(f).append('\n'));
        return r.toString();
    }
}
