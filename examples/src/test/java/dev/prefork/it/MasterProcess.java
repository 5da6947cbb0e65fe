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
import java.util.Map;
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
    /** The java launcher of the JVM running the tests, so that every spawned JVM is the same version. */
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

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

    /**
     * Like {@link #startMain} with the test classes (test applications in {@code dev.prefork.it.apps}) on the
     * class path too; workers inherit the master's class path.
     */
    static MasterProcess startMainWithTestClasses(String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-cp", JAR + ":" + testClasses(), "dev.prefork.master.Main"));
    }

    /** Starts {@code dev.prefork.master.Main} on {@code classPath} (e.g. an application jar and prefork.jar). */
    static MasterProcess startMainOn(String classPath, String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-cp", classPath, "dev.prefork.master.Main"));
    }

    /** Starts a user's own main class from the example jar (embedding), e.g. {@code EmbeddedExample}. */
    static MasterProcess startClass(String mainClass, String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-cp", JAR.toString(), mainClass));
    }

    /** Starts {@code java -jar prefork-example.jar} as user nobody, through {@code setpriv} (the test runs as root). */
    static MasterProcess startJarAsNobody(String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-jar", JAR.toAbsolutePath().toString()), AS_NOBODY);
    }

    /** Starts {@code java -jar prefork-example.jar} through a launcher command that ends by exec'ing its arguments. */
    static MasterProcess startJarWrapped(List<String> wrapper, String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-jar", JAR.toAbsolutePath().toString()), wrapper);
    }

    /** Runs a command as nobody: no group, no supplementary groups. */
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");

    static String testClasses() {
        try {
            return Path.of(MasterProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MasterProcess startWith(List<String> extra, List<String> launch) throws IOException {
        return startWith(extra, launch, List.of());
    }

    /** Like {@link #start} with another {@code java} launcher (workers use the master's Java), e.g. Temurin 25. */
    static MasterProcess startWithJava(String java, String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-jar", JAR.toString()), List.of(), freePort(), freePort(), java, Map.of());
    }

    /**
     * Starts {@code java -jar prefork-example.jar} on given ports, e.g. again on the ports of one that exited (a
     * redeployed instance behind a load balancer); does not wait for readiness.
     */
    static MasterProcess startOn(int port, int adminPort, String... extra) throws IOException {
        return startWith(List.of(extra), List.of("-jar", JAR.toString()), List.of(), port, adminPort, JAVA, Map.of());
    }

    private static MasterProcess startWith(List<String> extra, List<String> launch, List<String> wrapper) throws IOException {
        return startWith(extra, launch, wrapper, freePort(), freePort(), JAVA, Map.of());
    }

    /** The runnable master jar, {@code server-master/target/prefork.jar}, with the agent jar beside it. */
    static final Path PREFORK_JAR = Path.of(System.getProperty("prefork.masterJar", "../server-master/target/prefork.jar"));

    /**
     * Exec workers, as a user runs them: {@code java -jar prefork.jar OPTIONS -- COMMAND}, with {@code env} added
     * to the master's environment (the workers inherit it).
     */
    static MasterProcess startExec(Map<String, String> env, List<String> options, List<String> workerCommand)
            throws IOException {
        List<String> extra = new ArrayList<>(options);
        extra.add("--");
        extra.addAll(workerCommand);
        return startWith(extra, List.of("-jar", PREFORK_JAR.toString()), List.of(), freePort(), freePort(), JAVA, env);
    }

    private static MasterProcess startWith(List<String> extra, List<String> launch, List<String> wrapper, int port,
                                           int adminPort, String java, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("prefork-it-", ".log");
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(java);
        cmd.addAll(launch);
        if (!extra.contains("--bind")) {
            cmd.addAll(List.of("--bind", "127.0.0.1:" + port));
        }
        cmd.addAll(List.of("--admin", "127.0.0.1:" + adminPort));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PREFORK_"));
        pb.environment().putAll(env);
        return new MasterProcess(port, adminPort, log, pb.start());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Gone, or a zombie (exited, waiting to be reaped). {@link ProcessHandle#isAlive} says true for a zombie, and an
     * orphaned worker is reaped by this sandbox's PID 1 only a second or more after it exits.
     */
    static boolean hasExited(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            return isZombie(Long.toString(process.pid()));
        } catch (IOException gone) {
            return true;
        }
    }

    /** State Z in {@code /proc/PID/stat} (the field after the parenthesised command name, which may hold spaces). */
    private static boolean isZombie(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        return stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
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
        return process.toHandle().children().filter(h -> !isCdsTraining(h))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    void trackDescendants() {
        process.toHandle().descendants().forEach(seenDescendants::add);
    }

    /** Workers (and their children) ever seen; {@link #close()} also kills the CDS training JVM, if any. */
    Set<ProcessHandle> seenDescendants() {
        trackDescendants();
        return seenDescendants.stream().filter(h -> !isCdsTraining(h)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The {@code --worker-cds} training JVM the master runs for a few seconds after its first start with a new
     * jar: not a worker. It exits by itself, and at once when the master dies unless it is writing its archive.
     */
    private static boolean isCdsTraining(ProcessHandle h) {
        return h.info().commandLine().orElse("").contains("dev.prefork.worker.runtime.CdsTraining");
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The master's control socket, found under the {@code --control-dir} it was given. */
    static Path controlSocketUnder(Path controlDir) throws IOException {
        try (java.util.stream.Stream<Path> found = Files.walk(controlDir)) {
            return found.filter(p -> p.getFileName().toString().equals("control.sock")).findFirst().orElseThrow();
        }
    }

    /** The master's open file descriptors ({@code /proc/PID/fd}). */
    int openFds() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return (int) fds.count();
        }
    }

    /** The master's used heap in KiB right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}). */
    long heapAfterGcKib() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
        if (!used.find()) {
            throw new AssertionError("no 'used NK' in jcmd GC.heap_info of " + pid());
        }
        return Long.parseLong(used.group(1));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("jcmd " + pid() + " " + command + " failed: " + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /** Children of the master in state Z, read from /proc (each thread's children, then each child's stat). */
    List<Long> zombieChildren() throws IOException {
        List<Long> zombies = new ArrayList<>();
        Path tasks = Path.of("/proc", Long.toString(pid()), "task");
        try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                String children;
                try {
                    children = Files.readString(task.resolve("children"));
                } catch (IOException gone) {
                    continue;
                }
                for (String child : children.trim().split("\\s+")) {
                    if (child.isEmpty()) {
                        continue;
                    }
                    try {
                        if (isZombie(child)) {
                            zombies.add(Long.parseLong(child));
                        }
                    } catch (IOException gone) {
                        // exited and reaped between the two reads
                    }
                }
            }
        }
        return zombies;
    }

    /** The sum of every sample of a metric family with labels, e.g. {@code prefork_control_rejections_total}. */
    double metricSum(String family) throws IOException {
        double total = 0;
        for (String line : metrics().split("\n")) {
            if (line.startsWith(family + "{") || line.startsWith(family + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
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
