package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code server-master/target/prefork.jar}, the runnable master: it starts on its own and, with an application
 * jar before it on the class path, runs native workers (the application needs none of Prefork's class path).
 */
class RunnableJarIT {
    /** The example application without its dependencies (the module's plain jar). */
    private static final Path APP_JAR = Path.of(System.getProperty("prefork.exampleThinJar",
            "target/examples-0.1.0-SNAPSHOT.jar"));

    @Test
    void theRunnableJarPrintsItsVersion() throws Exception {
        Process p = new ProcessBuilder(MasterProcess.JAVA, "-jar", MasterProcess.PREFORK_JAR.toString(), "--version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).startsWith("prefork 0.").doesNotContain("unknown");
    }

    @Test
    void anApplicationJarBeforePreforkJarRunsAsNativeWorkers() throws Exception {
        try (MasterProcess m = MasterProcess.startMainOn(APP_JAR + ":" + MasterProcess.PREFORK_JAR,
                "--workers", "1", "--worker-cds", "off", "dev.prefork.examples.ExampleApp")) {
            m.awaitReady(1);
            RawHttp.Response r = RawHttp.get(m.port, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("Hello");
            m.signal("TERM");
            assertThat(m.waitForExit(Duration.ofSeconds(30))).isZero();
            assertThat(m.logText()).as("the master logs through the Logback inside prefork.jar").contains("INFO  d.p.m.s.Master - master pid");
        }
    }
}
