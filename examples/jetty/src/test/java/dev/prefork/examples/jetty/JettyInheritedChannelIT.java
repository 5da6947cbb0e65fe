package dev.prefork.examples.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import dev.prefork.examples.exectest.BootTimer;
import dev.prefork.examples.exectest.InheritedSocketProcess;
import dev.prefork.examples.exectest.RawHttp;
import dev.prefork.examples.exectest.SigtermDuringRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The unmodified Jetty example jar, started with a listening socket at fd 0 as Prefork's agent leaves it. */
class JettyInheritedChannelIT {
    private static final String JAR = System.getProperty("prefork.exampleJar", "target/prefork-jetty-example.jar");
    private static final Duration BOOT = Duration.ofSeconds(60);

    private static InheritedSocketProcess start(TestInfo test) throws Exception {
        Path log = Path.of("target", "it-logs", test.getTestMethod().orElseThrow().getName() + ".log");
        return InheritedSocketProcess.start(0, Map.of(), List.of("java", "-jar", JAR), log);
    }

    @Test
    void servesOnTheInheritedSocketAndListensOnNoOtherPort(TestInfo test) throws Exception {
        try (InheritedSocketProcess jetty = start(test)) {
            Duration boot = BootTimer.firstOk(jetty, "/", BOOT);
            System.out.println("jetty exec to first 200 on the inherited socket: " + boot.toMillis() + " ms");

            RawHttp.Response root = RawHttp.get(jetty.port(), "/", 10_000);
            assertThat(root.status()).isEqualTo(200);
            assertThat(root.header("X-Worker-Pid")).isEqualTo(Long.toString(jetty.pid()));
            assertThat(root.body()).contains("pid " + jetty.pid());
            RawHttp.Response echo = RawHttp.post(jetty.port(), "/echo", "hello prefork", 10_000);
            assertThat(echo.status()).isEqualTo(200);
            assertThat(echo.body()).isEqualTo("hello prefork");
            assertThat(jetty.listeningPorts()).as("LISTEN sockets of pid %d", jetty.pid()).containsExactly(jetty.port());
            assertThat(jetty.output()).contains("serving on the inherited listening socket");
        }
    }

    @Test
    void sigtermLetsTheRequestInFlightFinish(TestInfo test) throws Exception {
        try (InheritedSocketProcess jetty = start(test)) {
            BootTimer.firstOk(jetty, "/", BOOT);
            SigtermDuringRequest term = SigtermDuringRequest.run(jetty, "/sleep?ms=3000");
            System.out.println("jetty SIGTERM with a request in flight: exit " + term.exitCode() + " after "
                    + term.termToExit().toMillis() + " ms");

            assertThat(term.inFlight().status()).isEqualTo(200);
            assertThat(term.inFlight().body()).startsWith("slept 3000 ms");
            assertThat(term.exitCode()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        }
    }
}
