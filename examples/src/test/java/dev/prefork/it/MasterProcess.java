package dev.prefork.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real master started from the example jar, as a user would: {@code java -jar prefork-example.jar ...}.
 * {@link #close()} kills the master and every process it spawned (tracked while it runs), whatever happened.
 */
final class MasterProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("prefork.exampleJar", "target/prefork-example.jar"));

    final int port;
    final int adminPort;
    final Path log;
    final Process process;
    /**
     * Every descendant ever seen, so that orphans can be killed even after the master died. Handles, not pids:
     * a handle remembers the start time, so a reused pid is never killed.
     */
    private final Set<ProcessHandle> seenDescendants = ConcurrentHashMap.newKeySet();

    private MasterProcess(int port, int adminPort, Path log, Process process) {
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java -jar prefork-example.jar --bind ... --admin ... <extra>}; does not wait for readiness. */
    static MasterProcess start(String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-jar", JAR.toString()));
    }

    /** Starts the master class on the example jar's classpath with an explicit APP_CLASS (last of {@code extra}). */
    static MasterProcess startMain(String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-cp", JAR.toString(), "dev.prefork.master.Main"));
    }

    private static MasterProcess startWith(List<String> extra, List<String> launch) throws IOException {
        int port = freePort();
        int adminPort = freePort();
        Path log = Files.createTempFile("prefork-it-", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launch);
        cmd.addAll(List.of("--bind", "127.0.0.1:" + port, "--admin", "127.0.0.1:" + adminPort));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PREFORK_"));
        return new MasterProcess(port, adminPort, log, pb.start());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    /** Waits until /readyz answers 200 and {@code workers} workers are ready. */
    MasterProcess awaitReady(int workers) {
        await("master ready with " + workers + " workers").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    assertAlive();
                    trackDescendants();
                    return readyWorkers() == workers && adminStatus("/readyz") == 200;
                });
        return this;
    }

    void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("master exited with " + process.exitValue() + "; log:\n" + logText());
        }
    }

    int adminStatus(String path) {
        try {
            return RawHttp.get(adminPort, path).status();
        } catch (IOException e) {
            return -1;
        }
    }

    String metrics() throws IOException {
        return RawHttp.get(adminPort, "/metrics").body();
    }

    /** The value of one Prometheus sample, e.g. {@code prefork_workers{state="ready"}}; 0 if absent. */
    double metric(String sample) throws IOException {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    int readyWorkers() {
        try {
            return (int) metric("prefork_workers{state=\"ready\"}");
        } catch (IOException e) {
            return -1;
        }
    }

    /** Current worker JVM pids: the master's direct children. */
    Set<Long> workerPids() {
        trackDescendants();
        return process.toHandle().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    void trackDescendants() {
        process.toHandle().descendants().forEach(seenDescendants::add);
    }

    Set<ProcessHandle> seenDescendants() {
        trackDescendants();
        return Set.copyOf(seenDescendants);
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finds a regex group in the log, e.g. the control socket path. */
    String findInLog(Pattern pattern) {
        Matcher m = pattern.matcher(logText());
        return m.find() ? m.group(1) : null;
    }

    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("master did not exit within " + timeout + "; log:\n" + logText());
        }
        return process.exitValue();
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
    }

    @Override
    public void close() {
        trackDescendants();
        process.destroyForcibly();
        seenDescendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
