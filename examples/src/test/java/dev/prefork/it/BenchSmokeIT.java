package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bench/smoke}: a short version of the benchmark suite that must print a number in every cell.
 * It proves that the suite runs (wrk, Prefork, SingleProcess); it asserts no timing.
 */
class BenchSmokeIT {

    @Test
    void theBenchmarkSuiteRunsAndPrintsNumbers() throws Exception {
        Path repo = Path.of(System.getProperty("user.dir")).getParent();
        Path script = repo.resolve("bench/smoke");
        assertThat(script).isExecutable();
        Path out = Files.createTempFile("bench-smoke-", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString())
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("PREFORK_JAR", MasterProcess.JAR.toAbsolutePath().toString());
        Process smoke = pb.start();
        try {
            boolean done = smoke.waitFor(4, TimeUnit.MINUTES);
            String log = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(done).as("bench/smoke finished; output:\n%s", log).isTrue();
            assertThat(smoke.exitValue()).as("bench/smoke exit; output:\n%s", log).isZero();
            assertThat(log).contains("req/s").containsPattern("prefork.*\\d");
        } finally {
            smoke.descendants().forEach(ProcessHandle::destroyForcibly);
            smoke.destroyForcibly();
        }
    }
}
