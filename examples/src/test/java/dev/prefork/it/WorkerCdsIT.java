package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --worker-cds}: with {@code auto} (the default) the master makes a class-data archive of the worker class
 * path in the background (AppCDS on Java 17, an AOT cache on Java 25), and the workers it starts afterwards map
 * it, which is the proof that their JVM accepted it; with {@code off} no worker does. Each test runs a private copy of the jar with a private cache
 * directory ({@code -Dprefork.cdsDir}), so that a rebuild of the jar meanwhile changes nothing.
 */
class WorkerCdsIT {
    private static final Pattern MAPPED = Pattern.compile("worker pid (\\d+) maps the CDS archive (\\S+):");
    /** The master's one line per format: {@code ... workers load their classes from it (AOT cache)}. */
    private static final Pattern MAPPED_AS = Pattern.compile("worker pid (\\d+) maps the CDS archive (\\S+): .*\\((.+)\\)");

    @TempDir
    Path dir;
    private Process master;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private Path log;
    private int port;

    @AfterEach
    void killEverything() throws InterruptedException {
        if (master != null) {
            master.toHandle().descendants().forEach(seen::add);
            master.destroyForcibly();
            seen.forEach(ProcessHandle::destroyForcibly);
            master.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void workersStartedAfterTheArchiveExistsMapIt() throws Exception {
        Path cache = dir.resolve("cds");
        start("-Dprefork.cdsDir=" + cache, "--workers", "1");
        await("the archive is made in the background").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertAlive();
                    return logText().contains(") made in ") || logText().contains("training run failed");
                });
        assertThat(logText()).doesNotContain("training run failed");
        assertThat(MAPPED.matcher(logText()).find()).as("the first worker started before the archive existed").isFalse();

        new ProcessBuilder("kill", "-TTIN", Long.toString(master.pid())).inheritIO().start().waitFor();
        await("the worker started now maps the archive").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    assertAlive();
                    return MAPPED.matcher(logText()).find();
                });

        Matcher m = MAPPED.matcher(logText());
        assertThat(m.find()).isTrue();
        long pid = Long.parseLong(m.group(1));
        Path archive = Path.of(m.group(2));
        assertThat(archive).isRegularFile().hasParent(cache);
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "maps")))
                .as("the worker's memory map").contains(archive.toString());
        assertThat(logText()).doesNotContain("did not map the CDS archive");
        await("two workers serve").atMost(Duration.ofSeconds(60)).until(() -> workerPidsAnswering().size() == 2);
    }

    /**
     * The boot test on both JVMs (CI has both: Java 17 runs the build, Temurin 25 comes with the machine, see
     * .ci/setup.sh): the archive for the JVM is made ({@code --prepare-worker-cds}), then two workers boot from it,
     * map it and serve, and run that very JVM. Where Temurin 25 is missing, CI fails and a developer's run skips.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"17", "25"})
    void workersBootFromTheArchiveOfTheirJvmAndServe(String feature) throws Exception {
        String java = feature.equals("17") ? MasterProcess.JAVA : java25();
        String format = feature.equals("17") ? "AppCDS archive" : "AOT cache";
        Path cache = dir.resolve("cds");
        startWith(java, "-Dprefork.cdsDir=" + cache, "--prepare-worker-cds");
        assertThat(master.waitFor(120, TimeUnit.SECONDS)).as("--prepare-worker-cds finished").isTrue();
        assertThat(master.exitValue()).as(logText()).isZero();

        startWith(java, "-Dprefork.cdsDir=" + cache, "--workers", "2");
        await("a worker maps the archive").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    assertAlive();
                    return MAPPED_AS.matcher(logText()).find();
                });
        Matcher m = MAPPED_AS.matcher(logText());
        assertThat(m.find()).isTrue();
        long pid = Long.parseLong(m.group(1));
        assertThat(m.group(3)).as("the format for Java " + feature).isEqualTo(format);
        assertThat(Path.of(m.group(2))).hasParent(cache);
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "maps"))).contains(m.group(2));
        assertThat(Path.of("/proc", Long.toString(pid), "exe").toRealPath()).as("the worker runs the master's Java")
                .isEqualTo(Path.of(java).toRealPath());
        await("both workers serve").atMost(Duration.ofSeconds(60)).until(() -> workerPidsAnswering().size() == 2);
        assertThat(logText()).doesNotContain("did not map the CDS archive").doesNotContain("exited before it was seen");
    }

    /**
     * An AOT cache that its JVM cannot use (here: overwritten with garbage under its own name) never fails a
     * worker: the worker boots without it ({@code -XX:AOTMode=auto}), one warning says so, and the cache is
     * deleted so that the next master start makes a good one.
     */
    @Test
    void anAotCacheTheJvmRejectsIsDroppedWithOneWarningAndWorkersServeWithoutIt() throws Exception {
        String java = java25();
        Path cache = dir.resolve("cds");
        startWith(java, "-Dprefork.cdsDir=" + cache, "--prepare-worker-cds");
        assertThat(master.waitFor(120, TimeUnit.SECONDS)).as("--prepare-worker-cds finished").isTrue();
        assertThat(master.exitValue()).as(logText()).isZero();
        Path aot;
        try (var files = Files.list(cache)) {
            aot = files.filter(f -> f.toString().endsWith(".aot")).findFirst().orElseThrow();
        }
        Files.write(aot, new byte[(int) Files.size(aot)]); // same name and size, no valid header

        startWith(java, "-Dprefork.cdsDir=" + cache, "--workers", "1");
        await("the worker serves").atMost(Duration.ofSeconds(60)).until(() -> {
            assertAlive();
            return !workerPidsAnswering().isEmpty();
        });
        await("the rejection is noticed").atMost(Duration.ofSeconds(30))
                .until(() -> logText().contains("did not map the CDS archive"));
        assertThat(logText().lines().filter(l -> l.contains("did not map the CDS archive"))).hasSize(1);
        assertThat(aot).as("deleted").doesNotExist();
        assertThat(MAPPED.matcher(logText()).find()).isFalse();
    }

    /** Temurin 25's java: CI must have it (a failure there), a developer's machine may not (the test is skipped). */
    private static String java25() {
        if (!Files.isExecutable(ThreadsIT.JAVA_25)) {
            String missing = "no Temurin 25 at " + ThreadsIT.JAVA_25 + " (the machine image provides it; .ci/setup.sh checks)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            org.junit.jupiter.api.Assumptions.abort(missing);
        }
        return ThreadsIT.JAVA_25.toString();
    }

    @Test
    void offStartsWorkersWithoutAnArchive() throws Exception {
        Path cache = dir.resolve("cds");
        start("-Dprefork.cdsDir=" + cache, "--workers", "1", "--worker-cds", "off");

        await("a worker serves").atMost(Duration.ofSeconds(60)).until(() -> !workerPidsAnswering().isEmpty());
        long pid = workerPidsAnswering().iterator().next();
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "maps"))).doesNotContain(cache.toString());
        assertThat(logText()).doesNotContain("--worker-cds auto").doesNotContain("CDS archive");
        try (var files = Files.list(cache)) {
            assertThat(files).as("nothing trained").isEmpty();
        } catch (java.nio.file.NoSuchFileException absent) {
            // made lazily: fine
        }
    }

    /**
     * With {@code --certfile} the training run walks the TLS boot path too: its request goes over TLS (and with
     * {@code --cert-reqs 2} is refused at the handshake, as configured), and the archive is made.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0", "2"})
    void trainingWalksTheTlsBootPath(String certReqs) throws Exception {
        Path cache = dir.resolve("cds");
        TestCertificates certs = TestCertificates.newCa(Files.createDirectory(dir.resolve("certs")));
        TestCertificates.Issued server = certs.issue("server", TestCertificates.KeyForm.EC_SEC1, 2);
        start("-Dprefork.cdsDir=" + cache, "--prepare-worker-cds", "--certfile", server.cert().toString(),
                "--keyfile", server.key().toString(), "--ca-certs", certs.caCert.toString(), "--cert-reqs", certReqs);

        assertThat(master.waitFor(120, TimeUnit.SECONDS)).as("--prepare-worker-cds finished").isTrue();
        assertThat(master.exitValue()).as(logText()).isZero();
        try (var files = Files.list(cache)) {
            assertThat(files.map(Path::toString)).as("the archive").anyMatch(f -> f.endsWith(".jsa"));
        }
        try (var files = Files.list(cache)) {
            Path trainingLog = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
            assertThat(Files.readString(trainingLog)).contains("one request done");
        }
    }

    /** {@code java [jvmOption] -jar <private copy> --bind ... --admin off <args>}. */
    private void start(String jvmOption, String... args) throws IOException, InterruptedException {
        startWith(MasterProcess.JAVA, jvmOption, args);
    }

    /** As {@link #start} with the {@code java} launcher given; a master started before is killed first. */
    private void startWith(String java, String jvmOption, String... args) throws IOException, InterruptedException {
        killEverything();
        Path jar = dir.resolve("prefork-example.jar");
        if (!Files.exists(jar)) {
            Files.copy(MasterProcess.JAR, jar, StandardCopyOption.COPY_ATTRIBUTES);
        }
        port = MasterProcess.freePort();
        log = dir.resolve("master.log");
        List<String> cmd = new ArrayList<>(List.of(java,
                jvmOption, "-jar", jar.toString(), "--bind", "127.0.0.1:" + port, "--admin", "off"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PREFORK_"));
        master = pb.start();
    }

    private Set<Long> workerPidsAnswering() {
        master.toHandle().descendants().forEach(seen::add);
        Set<Long> pids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 20; i++) {
            try {
                pids.add(RawHttp.get(port, "/").workerPid());
            } catch (IOException notYet) {
                return pids;
            }
        }
        return pids;
    }

    private void assertAlive() {
        master.toHandle().descendants().forEach(seen::add);
        if (!master.isAlive()) {
            throw new AssertionError("master exited with " + master.exitValue() + "; log:\n" + logText());
        }
    }

    private String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
