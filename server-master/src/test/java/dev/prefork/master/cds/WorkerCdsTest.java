package dev.prefork.master.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCdsTest {
    private static final ServerConfig CONFIG = ServerConfig.builder().appClass("test.App").build();
    private static final String RUNTIME = "/opt/java 17.0.15+6";
    /** Names the partial archive: the master's pid, injected. */
    private static final long MASTER_PID = 4242;

    @TempDir
    Path dir;
    private Path cache;
    private Path jarA;
    private Path jarB;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor();
    private final FakeTrainer trainer = new FakeTrainer();
    private final FakeProcesses processes = new FakeProcesses();

    @BeforeEach
    void jars() throws IOException {
        cache = Files.createDirectory(dir.resolve("cache"));
        jarA = Files.write(dir.resolve("a.jar"), new byte[100]);
        jarB = Files.write(dir.resolve("b.jar"), new byte[200]);
        Files.setLastModifiedTime(jarA, FileTime.fromMillis(1_700_000_000_000L));
        Files.setLastModifiedTime(jarB, FileTime.fromMillis(1_700_000_000_000L));
    }

    @AfterEach
    void stop() {
        checks.shutdownNow();
    }

    private WorkerCds cds() {
        return new WorkerCds(cache, List.of(jarA, jarB), RUNTIME, trainer, processes, checks, InstantSource.system(), MASTER_PID);
    }

    private WorkerCds aotCds() {
        return new WorkerCds(CdsFormat.AOT_CACHE, () -> cache, List.of(jarA, jarB), "/opt/java 25.0.3+9", trainer,
                processes, checks, InstantSource.system(), MASTER_PID, Files::isWritable);
    }

    @Test
    void java25GetsTheAotCacheAndOlderJavasAppCdsUnlessThePropertySaysOtherwiseWhereItCan() {
        assertThat(CdsFormat.forJava(17, null)).isEqualTo(CdsFormat.APP_CDS);
        assertThat(CdsFormat.forJava(24, "")).as("no one-step AOT cache before 25").isEqualTo(CdsFormat.APP_CDS);
        assertThat(CdsFormat.forJava(25, null)).isEqualTo(CdsFormat.AOT_CACHE);
        assertThat(CdsFormat.forJava(26, null)).isEqualTo(CdsFormat.AOT_CACHE);
        assertThat(CdsFormat.forJava(25, "appcds")).isEqualTo(CdsFormat.APP_CDS);
        assertThat(CdsFormat.forJava(25, " AOT ")).isEqualTo(CdsFormat.AOT_CACHE);
        assertThat(CdsFormat.forJava(17, "aot")).as("Java 17 cannot: ignored").isEqualTo(CdsFormat.APP_CDS);
        assertThat(CdsFormat.forJava(25, "jsa")).as("unknown: ignored").isEqualTo(CdsFormat.AOT_CACHE);
    }

    @Test
    void anAotCacheIsTrainedInOneStepAndUsedWithAotModeAutoSoThatAWorkerThatCannotUseItStartsWithout()
            throws Exception {
        WorkerCds cds = aotCds();
        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).as("no cache yet").isEmpty();
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);

        List<String> options = cds.optionsFor(CONFIG, this::trainingCommand);
        Path cacheFile = cds.archive(CdsArchiveKey.of(List.of(jarA, jarB), "/opt/java 25.0.3+9", CdsFormat.AOT_CACHE,
                CONFIG.workerJvmOpts()));
        assertThat(cacheFile.getFileName().toString()).endsWith(".aot");
        assertThat(options).containsExactly("-XX:AOTCache=" + cacheFile, "-XX:AOTMode=auto",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
        assertThat(trainer.lastCommand).contains("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
                "-XX:-AOTRecordTraining", "-XX:AOTCacheOutput=" + cache.resolve(cacheFile.getFileName() + "." + MASTER_PID + ".tmp"));

        processes.maps.put(301L, "7f00-7f10 r--p 00000000 08:01 42 /opt/java/lib/server/classes.jsa\n");
        processes.initialised.put(301L, true);
        cds.launched(301, options);
        await("a worker whose JVM left the cache out turns it off").atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(cacheFile));
        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).isEmpty();
    }

    @Test
    void theKeyChangesWithAJarsSizeOrMtimeTheRuntimeOrTheOptionsAndOnlyThen() throws IOException {
        List<Path> cp = List.of(jarA, jarB);
        List<String> opts = CONFIG.workerJvmOpts();
        String key = CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts);

        assertThat(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts)).isEqualTo(key);
        Files.setLastModifiedTime(jarB, FileTime.fromMillis(1_700_000_001_000L));
        String touched = CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts);
        assertThat(touched).isNotEqualTo(key);
        Files.write(jarB, new byte[201]);
        Files.setLastModifiedTime(jarB, FileTime.fromMillis(1_700_000_001_000L));
        assertThat(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts)).as("size changed, same mtime").isNotEqualTo(touched);
        assertThat(CdsArchiveKey.of(cp, "/opt/java 25.0.3", CdsFormat.APP_CDS, opts))
                .isNotEqualTo(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts));
        assertThat(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, List.of("-Xmx64m")))
                .isNotEqualTo(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts));
        assertThat(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.AOT_CACHE, opts)).as("the format")
                .isNotEqualTo(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, opts));
    }

    @Test
    void aClassPathWithAClassesDirectoryCannotBeArchived() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes/x"));
        Files.write(classes.resolve("A.class"), new byte[1]);

        assertThat(CdsArchiveKey.of(List.of(jarA, dir.resolve("classes")), RUNTIME, CdsFormat.APP_CDS, List.of())).isNull();
        assertThat(CdsArchiveKey.of(List.of(jarA, Files.createDirectory(dir.resolve("empty"))), RUNTIME, CdsFormat.APP_CDS, List.of()))
                .isNotNull();
        assertThat(CdsArchiveKey.split("/a.jar::/b.jar")).containsExactly(Path.of("/a.jar"), Path.of("/b.jar"));
    }

    @Test
    void theFirstLaunchTrainsInTheBackgroundAndLaterLaunchesUseTheArchive() throws Exception {
        WorkerCds cds = cds();
        trainer.gate = new CompletableFuture<>();

        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).as("no archive yet").isEmpty();
        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).as("still training").isEmpty();
        assertThat(trainer.runs).hasValue(1);
        trainer.gate.complete(null);
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);

        List<String> options = cds.optionsFor(CONFIG, this::trainingCommand);
        Path archive = cds.archive(CdsArchiveKey.of(List.of(jarA, jarB), RUNTIME, CdsFormat.APP_CDS, CONFIG.workerJvmOpts()));
        assertThat(options).containsExactly("-XX:SharedArchiveFile=" + archive, "-Xshare:auto",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
        assertThat(archive).isRegularFile();
        assertThat(trainer.lastCommand).as("the runtime's diagnostic options are tried by the training run")
                .contains("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
        assertThat(trainer.lastCommand).contains("train", "-XX:ArchiveClassesAtExit=" + cache.resolve(
                archive.getFileName() + "." + MASTER_PID + ".tmp"));
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        // A later master with the same jars reuses the archive without training.
        assertThat(cds().optionsFor(CONFIG, this::trainingCommand)).isEqualTo(options);
        assertThat(trainer.runs).hasValue(1);
    }

    @Test
    void aChangedJarMeansANewArchiveNotTheStaleOne() throws Exception {
        WorkerCds cds = cds();
        cds.optionsFor(CONFIG, this::trainingCommand);
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);
        String before = cds.optionsFor(CONFIG, this::trainingCommand).get(0);

        Files.setLastModifiedTime(jarA, FileTime.fromMillis(1_700_000_123_000L)); // e.g. a rebuilt jar

        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).as("the old archive would be ignored").isEmpty();
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);
        assertThat(trainer.runs).hasValue(2);
        String after = cds.optionsFor(CONFIG, this::trainingCommand).get(0);
        assertThat(after).startsWith("-XX:SharedArchiveFile=").isNotEqualTo(before);
    }

    @Test
    void offOrUserCdsOptionsOrAFailedTrainingMeanNoArchiveAndNoRetry() throws Exception {
        assertThat(cds().optionsFor(CONFIG.toBuilder().workerCds(false).build(), this::trainingCommand)).isEmpty();
        assertThat(cds().optionsFor(CONFIG.toBuilder().workerJvmOpts("-Xmx64m -Xshare:off").build(),
                this::trainingCommand)).isEmpty();
        assertThat(trainer.runs).hasValue(0);

        trainer.exitCode = 1;
        WorkerCds cds = cds();
        cds.optionsFor(CONFIG, this::trainingCommand);
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);
        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).isEmpty();
        assertThat(trainer.runs).as("no retry in this master").hasValue(1);
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".jsa") || n.endsWith(".tmp"));
        }
    }

    @Test
    void prepareTrainsOnceAndCompletesWithTheArchiveThatLaterMastersUse() throws Exception {
        Optional<Path> made = cds().prepare(CONFIG, this::trainingCommand).get(10, TimeUnit.SECONDS);

        assertThat(made).isPresent();
        assertThat(made.get()).isRegularFile();
        assertThat(trainer.runs).hasValue(1);
        assertThat(cds().optionsFor(CONFIG, this::trainingCommand)).first().isEqualTo("-XX:SharedArchiveFile=" + made.get());
        assertThat(cds().prepare(CONFIG, this::trainingCommand).get(10, TimeUnit.SECONDS)).as("exists: no new run")
                .isEqualTo(made);
        assertThat(trainer.runs).hasValue(1);
    }

    @Test
    void prepareIsEmptyWhenNoArchiveCanBeMade() throws Exception {
        assertThat(cds().prepare(CONFIG.toBuilder().workerCds(false).build(), this::trainingCommand)
                .get(10, TimeUnit.SECONDS)).isEmpty();
        trainer.exitCode = 1;
        assertThat(cds().prepare(CONFIG, this::trainingCommand).get(10, TimeUnit.SECONDS)).as("training failed")
                .isEmpty();
    }

    @Test
    void aReadOnlyCacheServesItsArchiveButNeverTrains() throws Exception {
        Path archive = cds().prepare(CONFIG, this::trainingCommand).get(10, TimeUnit.SECONDS).orElseThrow();
        WorkerCds readOnly = new WorkerCds(CdsFormat.APP_CDS, () -> cache, List.of(jarA, jarB), RUNTIME, trainer, processes, checks,
                InstantSource.system(), MASTER_PID, dir -> false);

        assertThat(readOnly.optionsFor(CONFIG, this::trainingCommand)).first()
                .isEqualTo("-XX:SharedArchiveFile=" + archive);
        ServerConfig otherOptions = CONFIG.toBuilder().workerJvmOpts("-Xmx64m").build();
        assertThat(readOnly.optionsFor(otherOptions, this::trainingCommand)).as("no archive for these options")
                .isEmpty();
        assertThat(readOnly.prepare(otherOptions, this::trainingCommand).get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(trainer.runs).as("only the first, writable, preparation trained").hasValue(1);
    }

    @Test
    void theKeyCountsMtimesInWholeSecondsAsTheJvmAndImageLayersDo() throws IOException {
        List<Path> cp = List.of(jarA, jarB);
        String key = CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, List.of());
        Files.setLastModifiedTime(jarA, FileTime.fromMillis(1_700_000_000_999L)); // a layer tar truncates this

        assertThat(CdsArchiveKey.of(cp, RUNTIME, CdsFormat.APP_CDS, List.of())).isEqualTo(key);
    }

    @Test
    void aWorkerThatMapsTheArchiveProvesItAndOneThatDoesNotGetsItDeleted() throws Exception {
        WorkerCds cds = cds();
        cds.optionsFor(CONFIG, this::trainingCommand);
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);
        List<String> options = cds.optionsFor(CONFIG, this::trainingCommand);
        Path archive = Path.of(options.get(0).substring("-XX:SharedArchiveFile=".length()));

        processes.maps.put(101L, "7f00-7f10 r--p 00000000 08:01 42 " + archive + "\n");
        processes.initialised.put(101L, true);
        cds.launched(101, options);
        processes.maps.put(102L, "7f00-7f10 r--p 00000000 08:01 42 /opt/java/lib/server/classes.jsa\n");
        cds.launched(102, options);
        Thread.sleep(200); // 102's JVM is still initialising: the check must wait, not judge
        assertThat(archive).isRegularFile();

        processes.initialised.put(102L, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(archive));
        assertThat(cds.optionsFor(CONFIG, this::trainingCommand)).as("rejected: off for this master").isEmpty();
        assertThat(trainer.runs).hasValue(1);
    }

    @Test
    void aWorkerThatDiesBeforeAnyWorkerMappedTheArchiveTurnsItOffButKeepsIt() throws Exception {
        WorkerCds cds = cds();
        cds.optionsFor(CONFIG, this::trainingCommand);
        cds.trainingOf(CONFIG).get(10, TimeUnit.SECONDS);
        List<String> options = cds.optionsFor(CONFIG, this::trainingCommand);
        Path archive = Path.of(options.get(0).substring("-XX:SharedArchiveFile=".length()));

        cds.launched(201, options); // no /proc entry: the process is gone

        await().atMost(Duration.ofSeconds(5)).until(() -> cds.optionsFor(CONFIG, this::trainingCommand).isEmpty());
        assertThat(archive).as("kept for the next master").isRegularFile();
    }

    private List<String> trainingCommand(List<String> options) {
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(options);
        cmd.add("train");
        return cmd;
    }

    /** Writes the archive named by -XX:ArchiveClassesAtExit or -XX:AOTCacheOutput, as the JVM does at exit. */
    private static final class FakeTrainer implements CdsTrainingRun.Trainer {
        final AtomicInteger runs = new AtomicInteger();
        volatile int exitCode;
        volatile List<String> lastCommand;
        /** The training JVM "exits" when this completes. */
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        @Override
        public CompletableFuture<Integer> run(List<String> command, Path logFile) throws IOException {
            runs.incrementAndGet();
            lastCommand = new ArrayList<>(command);
            for (String c : command) {
                if (c.startsWith("-XX:ArchiveClassesAtExit=") || c.startsWith("-XX:AOTCacheOutput=")) {
                    Path partial = Path.of(c.substring(c.indexOf('=') + 1));
                    return gate.thenApplyAsync(v -> {
                        try {
                            Files.write(partial, new byte[64]);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return exitCode;
                    });
                }
            }
            throw new AssertionError("no -XX:ArchiveClassesAtExit or -XX:AOTCacheOutput in " + command);
        }
    }

    private static final class FakeProcesses implements CdsMapCheck.ProcessView {
        final Map<Long, String> maps = new ConcurrentHashMap<>();
        final Map<Long, Boolean> initialised = new ConcurrentHashMap<>();

        @Override
        public String maps(long pid) {
            return maps.get(pid);
        }

        @Override
        public boolean jvmInitialised(long pid) {
            return initialised.getOrDefault(pid, false);
        }
    }
}
