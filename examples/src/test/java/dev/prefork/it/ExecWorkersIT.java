package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.InheritedSocket;
import dev.prefork.examples.exectest.ProcessSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9: unmodified framework services run as exec workers, {@code java -jar prefork.jar OPTIONS -- java -jar
 * service.jar}, with the Prefork agent the master injects. One master per framework goes through the scenarios in
 * turn (boot, both workers serve, JVM and memory metrics from the agents' segments, SIGKILL replacement, HUP under
 * keep-alive load, TERM with a request in flight), to keep the run short.
 */
class ExecWorkersIT {
    private static final Path EXAMPLES = Path.of(System.getProperty("prefork.examplesDir", "."));
    private static final Pattern READY = Pattern.compile("worker (\\d+) pid (\\d+) ready in ([\\d.]+) (ms|s)");

    /**
     * The services, each with the one setting it needs (none for Spring Boot: the agent's glue does it). At a
     * drain each ends its keep-alive connections after their next response (Spring Boot: the glue sets Tomcat's
     * maxKeepAliveRequests to 1; Jetty and Micronaut: the example's PreforkDrain) and the agent sends SIGTERM
     * once they are gone, so a roll under keep-alive load fails no request.
     */
    enum Framework {
        SPRING_BOOT("spring-boot/target/prefork-spring-boot-example.jar", Map.of(), List.of("-Xmx256m"), true),
        JETTY("jetty/target/prefork-jetty-example.jar", Map.of(), List.of("-Xmx128m"), false),
        MICRONAUT("micronaut/target/prefork-micronaut-example.jar",
                Map.of("MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_FD", "0",
                        "MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_BIND", "false"), List.of("-Xmx128m"), false);

        final Path jar;
        final Map<String, String> env;
        final List<String> jvmOptions;
        /** The agent counts requests (Spring Boot glue's filter); elsewhere heartbeats say 0. */
        final boolean countsRequests;

        Framework(String jar, Map<String, String> env, List<String> jvmOptions, boolean countsRequests) {
            this.jar = EXAMPLES.resolve(jar);
            this.env = env;
            this.jvmOptions = jvmOptions;
            this.countsRequests = countsRequests;
        }

        List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(MasterProcess.JAVA);
            cmd.addAll(jvmOptions);
            cmd.add("-jar");
            cmd.add(jar.toAbsolutePath().toString());
            return cmd;
        }
    }

    @RegisterExtension
    final StartedMasters masters = new StartedMasters();

    private MasterProcess start(Framework f, String... options) throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(f.jar), f.jar + " is built by mvn package");
        MasterProcess m = MasterProcess.startExec(f.env, List.of(options), f.command());
        masters.add(m);
        return m;
    }

    /** {@code -Dprefork.it.frameworks=SPRING_BOOT,JETTY} runs only those (e.g. to repeat a measurement). */
    private static void assumeSelected(Framework f) {
        String selected = System.getProperty("prefork.it.frameworks", "");
        Assumptions.assumeTrue(selected.isBlank() || List.of(selected.split(",")).contains(f.name()),
                f + " not in -Dprefork.it.frameworks=" + selected);
    }

    @ParameterizedTest
    @EnumSource(Framework.class)
    void aFrameworkServiceRunsAsExecWorkersThroughEveryOperation(Framework f) throws Exception {
        assumeSelected(f);
        MasterProcess m = start(f, "--workers", "2", "--graceful-timeout", "20", "--timeout", "5");
        awaitReady(m);
        System.out.printf("%s: exec worker boot, spawn to ready: %s%n", f, bootTimes(m));

        // Both workers serve the shared socket (new connection per request).
        Set<Long> workers = m.workerPids();
        Set<Long> served = new HashSet<>();
        await(f + ": both workers serve").atMost(Duration.ofSeconds(30)).until(() -> {
            RawHttp.Response r = RawHttp.get(m.port, "/");
            assertThat(r.status()).isEqualTo(200);
            served.add(r.workerPid());
            return served.containsAll(workers);
        });
        assertThat(served).isEqualTo(workers);

        // JVM figures from each agent's segment, per worker and summed (one scrape); requests where the framework
        // lets the agent count.
        await(f + ": JVM metrics of both workers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> series(m.metrics(), "prefork_worker_resident_memory_bytes{").stream().filter(v -> v > 0).count() == 2);
        String scrape = m.metrics();
        assertThat(series(scrape, "prefork_worker_resident_memory_bytes{")).as(f + ": RSS per worker").hasSize(2)
                .allSatisfy(v -> assertThat(v).isGreaterThan(20 << 20));
        assertThat(series(scrape, "prefork_worker_jvm_heap_used_bytes{")).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(series(scrape, "prefork_worker_jvm_heap_max_bytes{")).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(series(scrape, "prefork_worker_cpu_seconds_total{")).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(series(scrape, "prefork_worker_jvm_heap_after_gc_bytes{")).as(f + ": -1 until a GC, then bytes")
                .hasSize(2).allSatisfy(v -> assertThat(v).isNotZero());
        assertThat(sum(scrape, "prefork_worker_jvm_heap_used_bytes{")).isEqualTo(sum(scrape, "prefork_jvm_heap_used_bytes "))
                .isPositive();
        assertThat(sum(scrape, "prefork_worker_jvm_heap_max_bytes{")).isEqualTo(sum(scrape, "prefork_jvm_heap_max_bytes "));
        assertThat(sum(scrape, "prefork_jvm_heap_committed_bytes ")).isGreaterThanOrEqualTo(sum(scrape, "prefork_jvm_heap_used_bytes "));
        assertThat(sum(scrape, "prefork_jvm_threads_live ")).isGreaterThan(10)
                .isEqualTo(sum(scrape, "prefork_worker_jvm_threads_live{"));
        assertThat(sum(scrape, "prefork_segment_rejected_total ")).isZero();
        if (f.countsRequests) {
            await(f + ": requests counted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> m.metric("prefork_requests_total") >= served.size());
            // Recorded by the glue into the segment: status classes and the duration histogram, as native workers.
            String counted = m.metrics();
            double requests = sum(counted, "prefork_requests_total ");
            assertThat(sum(counted, "prefork_responses_total{status=\"2xx\"}")).isEqualTo(requests);
            assertThat(sum(counted, "prefork_request_duration_seconds_count ")).isEqualTo(requests);
            assertThat(sum(counted, "prefork_worker_requests_total{")).isEqualTo(requests);
        }

        // SIGKILL: replaced at once, and the replacement serves.
        long victim = workers.iterator().next();
        new ProcessBuilder("kill", "-KILL", Long.toString(victim)).start().waitFor();
        long killedAt = System.nanoTime();
        awaitReplaced(m, f + ": SIGKILLed worker replaced", victim);
        System.out.printf("%s: SIGKILL to a ready replacement %d ms%n", f, (System.nanoTime() - killedAt) / 1_000_000);
        Set<Long> afterKill = m.workerPids();
        final long replacement = afterKill.stream().filter(p -> !workers.contains(p)).findFirst().orElseThrow();
        await(f + ": the replacement serves").atMost(Duration.ofSeconds(30))
                .until(() -> RawHttp.get(m.port, "/").workerPid() == replacement);
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).isEqualTo(1);

        // A frozen JVM (SIGSTOP: its agent's heartbeats stop) is hung: killed after --timeout and replaced.
        long frozen = replacement;
        new ProcessBuilder("kill", "-STOP", Long.toString(frozen)).start().waitFor();
        long frozenAt = System.nanoTime();
        awaitReplaced(m, f + ": frozen worker replaced", frozen);
        System.out.printf("%s: SIGSTOP to a ready replacement %d ms (--timeout 5 s)%n", f,
                (System.nanoTime() - frozenAt) / 1_000_000);
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"timeout\"}")).isEqualTo(1);
        assertThat(m.logText()).contains("pid " + frozen + " is hung (no heartbeat for");
        Set<Long> beforeHup = m.workerPids();

        // HUP under keep-alive load: every worker replaced, new ones ready before old ones drain, 0 failures.
        int clients = 8;
        try (OperationsIT.KeepAliveLoad load = OperationsIT.KeepAliveLoad.start(m.port, clients)) {
            load.runUntil(Duration.ofSeconds(2));
            long hupAt = System.nanoTime();
            m.signal("HUP");
            await(f + ": every worker replaced by HUP").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Set<Long> now = m.workerPids();
                        return now.size() == 2 && now.stream().noneMatch(beforeHup::contains) && m.readyWorkers() == 2;
                    });
            long rolledMillis = (System.nanoTime() - hupAt) / 1_000_000;
            load.runUntil(Duration.ofMillis(2000 + rolledMillis + 1000));
            load.stop();
            System.out.printf("%s: HUP under keep-alive load: %d requests, %d failed, %d reconnects, roll %d ms%n",
                    f, load.ok(), load.failed(), load.reconnects(), rolledMillis);
            m.logText().lines().filter(l -> l.contains("prefork-agent") && l.contains("drain: ")
                    && (l.contains("client connection") || l.contains("SIGTERM")))
                    .forEach(l -> System.out.println(f + ": " + l.substring(l.indexOf("prefork-agent"))));
            assertThat(load.failures()).as(f + ": failed requests during the HUP").isEmpty();
            assertThat(m.logText()).as(f + ": the agent waited for the keep-alive connections to end")
                    .contains("drain: the server closes each keep-alive connection after its next response")
                    .contains("drain: no client connection left after");
            // One shared socket: the kernel may favour one worker, so only "an old worker served" is certain.
            assertThat(load.workerPidsSeen()).containsAnyElementsOf(beforeHup);
        }
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"reload\"}")).isEqualTo(2);
        assertRollOrder(m);

        // TTIN / TTOU: one worker more, one fewer.
        m.signal("TTIN");
        await(f + ": TTIN").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.readyWorkers() == 3 && m.workerPids().size() == 3);
        m.signal("TTOU");
        await(f + ": TTOU").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.readyWorkers() == 2 && m.workerPids().size() == 2);

        // TERM with a request in flight: it completes, the master exits 0 within its budget.
        Set<Long> last = m.workerPids();
        CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(m.port, "/sleep?ms=2000", 30_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await(f + ": the slow request accepted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> accepted(last, m.port) == 1);
        long termAt = System.nanoTime();
        m.signal("TERM");
        await(f + ": /readyz 503 at once").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.adminStatus("/readyz") == 503 || !m.process.isAlive());
        assertThat(inFlight.get().status()).as(f + ": request in flight at TERM").isEqualTo(200);
        assertThat(m.waitForExit(Duration.ofSeconds(40))).as(f + ": master exit code").isZero();
        System.out.printf("%s: TERM to master exit %d ms (2 s request in flight)%n", f, (System.nanoTime() - termAt) / 1_000_000);
        String drain = m.logText().substring(m.logText().indexOf("drain step 1/4"));
        assertThat(drain).as("nobody killed at the drain's deadline").doesNotContain("at its deadline; SIGKILL");
    }

    @Test
    void aLauncherScriptThatForksJavaGetsTheAgentThroughJdkJavaOptions() throws Exception {
        // The shell stays the spawned process (a second command after java keeps it from exec'ing): the JVM
        // that says Hello is its child, admitted as a descendant; the agent comes through JDK_JAVA_OPTIONS.
        Framework f = Framework.JETTY;
        String java = String.join(" ", f.command());
        Assumptions.assumeTrue(Files.isRegularFile(f.jar), f.jar + " is built by mvn package");
        MasterProcess m = MasterProcess.startExec(f.env, List.of("--workers", "1"), List.of("sh", "-c", java + "; exit $?"));
        masters.add(m);
        await("worker behind a launcher script ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    m.assertAlive();
                    return m.readyWorkers() == 1;
                });
        long script = m.workerPids().iterator().next();
        RawHttp.Response r = RawHttp.get(m.port, "/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(ProcessHandle.of(r.workerPid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("the JVM serving is the script's child").hasValue(script);
        assertThat(m.logText()).contains("NOTE: Picked up JDK_JAVA_OPTIONS");
        // The JVM's agent stamps its own pid into the segment: the master reads it under that pid, not the script's.
        await("the script's JVM's figures").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> sum(m.metrics(), "prefork_worker_resident_memory_bytes{") > 0);
        assertThat(sum(m.metrics(), "prefork_segment_rejected_total ")).isZero();
        m.signal("TERM");
        assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void workerFdPutsTheSocketAtFd100ForMicronautsEpollListener() throws Exception {
        Framework f = Framework.MICRONAUT;
        Assumptions.assumeTrue(Files.isRegularFile(f.jar), f.jar + " is built by mvn package");
        List<String> command = new ArrayList<>(f.command());
        command.addAll(1, List.of("-Dmicronaut.server.netty.listeners.default.fd=100",
                "-Dmicronaut.server.netty.listeners.default.bind=false",
                "-Dmicronaut.netty.event-loops.default.prefer-native-transport=true",
                "-Dmicronaut.server.netty.parent.prefer-native-transport=true"));
        MasterProcess m = MasterProcess.startExec(Map.of(), List.of("--workers", "1", "--worker-fd", "100"), command);
        masters.add(m);
        await("Micronaut on fd 100 ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    m.assertAlive();
                    return m.readyWorkers() == 1;
                });
        long worker = m.workerPids().iterator().next();
        assertThat(RawHttp.get(m.port, "/").workerPid()).isEqualTo(worker);
        assertThat(ProcessSockets.listeningPorts(worker)).as("no port of its own").containsOnly(m.port);
        m.signal("TERM");
        assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void maxRequestsRecyclesASpringBootWorkerWhoseRequestsTheAgentCounts() throws Exception {
        MasterProcess m = start(Framework.SPRING_BOOT, "--workers", "1", "--max-requests", "30");
        await("1 exec worker ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.readyWorkers() == 1);
        long first = m.workerPids().iterator().next();
        for (int i = 0; i < 40; i++) {
            assertThat(RawHttp.get(m.port, "/").status()).isEqualTo(200);
        }
        await("recycled after 30 requests").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.metric("prefork_worker_restarts_total{reason=\"max_requests\"}") == 1
                        && m.readyWorkers() == 1 && !m.workerPids().contains(first));
        assertThat(m.metric("prefork_requests_total")).isGreaterThanOrEqualTo(30);
        assertThat(RawHttp.get(m.port, "/").workerPid()).isNotEqualTo(first);
    }

    @Test
    void maxWorkerRssRecyclesAJettyWorkerFromItsAgentsSegmentAndTheReplacementServes() throws Exception {
        // Any JVM is over 1 MiB: the first worker is recycled (reason memory) once ready, through the roll.
        MasterProcess m = start(Framework.JETTY, "--workers", "1", "--max-worker-rss", "1m", "--graceful-timeout", "10");
        await("1 exec worker ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    m.assertAlive();
                    return m.readyWorkers() >= 1;
                });
        long first = m.workerPids().iterator().next();
        await("recycled for its RSS").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> m.metric("prefork_worker_restarts_total{reason=\"memory\"}") >= 1
                        && !m.workerPids().contains(first) && m.readyWorkers() >= 1);
        await("a replacement serves").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    RawHttp.Response r = RawHttp.get(m.port, "/");
                    return r.status() == 200 && r.workerPid() != first;
                });
        assertThat(m.logText()).contains("pid " + first + " has a resident set of").contains("over --max-worker-rss 1.0 MiB")
                .contains("drain: listener closed");
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).as("the drained JVM's 143 is clean").isZero();
    }

    @Test
    void aServiceThatBindsItsOwnPortFailsTheBootWithExit3AndTheRemedyLine() throws Exception {
        // Micronaut without its two settings binds a port of its own and never takes Prefork's socket.
        Framework f = Framework.MICRONAUT;
        Assumptions.assumeTrue(Files.isRegularFile(f.jar), f.jar + " is built by mvn package");
        List<String> command = new ArrayList<>(f.command());
        command.add(1, "-Dmicronaut.server.port=" + MasterProcess.freePort());
        MasterProcess m = MasterProcess.startExec(Map.of(), List.of("--workers", "1", "--boot-timeout", "30"), command);
        masters.add(m);

        assertThat(m.waitForExit(Duration.ofSeconds(60))).isEqualTo(3);

        String log = m.logText();
        assertThat(log.lines().filter(l -> l.contains("failed to boot")))
                .as("one line with the remedy; log:\n" + log)
                .anySatisfy(l -> assertThat(l).contains("ServerConnector#setInheritChannel(true)")
                        .contains("MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_FD=0"));
        assertThat(InheritedSocket.REMEDY).contains("MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_BIND=false");
    }

    private static void awaitReady(MasterProcess m) {
        await("2 exec workers ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            m.assertAlive();
            m.trackDescendants();
            return m.readyWorkers() == 2 && m.adminStatus("/readyz") == 200;
        });
    }

    /** Waits until {@code gone} is no worker and its replacement (a pid never ready before) is ready. */
    private static void awaitReplaced(MasterProcess m, String what, long gone) {
        Set<Long> readyBefore = readyPids(m);
        await(what).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Set<Long> now = m.workerPids();
            return now.size() == 2 && !now.contains(gone) && readyPids(m).containsAll(now)
                    && !readyBefore.containsAll(now) && m.readyWorkers() == 2;
        });
    }

    /** Pids the master logged as ready. */
    private static Set<Long> readyPids(MasterProcess m) {
        Set<Long> pids = new HashSet<>();
        Matcher match = READY.matcher(m.logText());
        while (match.find()) {
            pids.add(Long.parseLong(match.group(2)));
        }
        return pids;
    }

    /** Spawn-to-ready of each worker, from the master's log lines. */
    private static List<String> bootTimes(MasterProcess m) {
        List<String> times = new ArrayList<>();
        Matcher match = READY.matcher(m.logText());
        while (match.find()) {
            times.add("worker " + match.group(1) + " " + match.group(3) + " " + match.group(4));
        }
        return times;
    }

    /** The values of every sample in {@code scrape} whose line starts with {@code prefix}. */
    private static List<Double> series(String scrape, String prefix) {
        return scrape.lines().filter(l -> l.startsWith(prefix))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
    }

    private static double sum(String scrape, String prefix) {
        return series(scrape, prefix).stream().mapToDouble(Double::doubleValue).sum();
    }

    private static long accepted(Set<Long> pids, int port) {
        long total = 0;
        for (long pid : pids) {
            try {
                total += ProcessSockets.acceptedConnections(pid, port);
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return total;
    }

    /** In a roll each old worker drains only after its replacement is ready. */
    private static void assertRollOrder(MasterProcess m) {
        List<String> events = m.logText().lines()
                .filter(l -> l.contains("ready in") || l.contains("draining (replaced by"))
                .map(l -> l.contains("ready in") ? "ready" : "drain")
                .toList();
        List<String> roll = events.subList(events.size() - 4, events.size());
        assertThat(roll).as("last roll: ready, drain, ready, drain").containsExactly("ready", "drain", "ready", "drain");
    }
}
