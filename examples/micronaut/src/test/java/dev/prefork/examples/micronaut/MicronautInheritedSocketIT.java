package dev.prefork.examples.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import dev.prefork.examples.exectest.BootTimer;
import dev.prefork.examples.exectest.InheritedSocketProcess;
import dev.prefork.examples.exectest.RawHttp;
import dev.prefork.examples.exectest.SigtermDuringRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The unmodified Micronaut example jar, started with a listening socket at a numbered fd as Prefork's agent leaves
 * it, configured only from outside (env or system properties), as README documents.
 */
class MicronautInheritedSocketIT {
    private static final String JAR = System.getProperty("prefork.exampleJar", "target/prefork-micronaut-example.jar");
    private static final Duration BOOT = Duration.ofSeconds(60);

    /** fd 0 with Micronaut's default NIO transport: two env vars. */
    private static InheritedSocketProcess startAtFd0(TestInfo test) throws Exception {
        Map<String, String> env = Map.of(
                "MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_FD", "0",
                "MICRONAUT_SERVER_NETTY_LISTENERS_DEFAULT_BIND", "false");
        return InheritedSocketProcess.start(0, env, List.of("java", "-jar", JAR), log(test));
    }

    /** Any other fd needs the epoll transport, for the server's event loops and its parent (acceptor) loop. */
    private static InheritedSocketProcess startAtFd(int fd, TestInfo test) throws Exception {
        List<String> command = new ArrayList<>(List.of("java",
                "-Dmicronaut.server.netty.listeners.default.fd=" + fd,
                "-Dmicronaut.server.netty.listeners.default.bind=false",
                "-Dmicronaut.netty.event-loops.default.prefer-native-transport=true",
                "-Dmicronaut.server.netty.parent.prefer-native-transport=true",
                "-jar", JAR));
        return InheritedSocketProcess.start(fd, Map.of(), command, log(test));
    }

    private static Path log(TestInfo test) {
        return Path.of("target", "it-logs", test.getTestMethod().orElseThrow().getName() + ".log");
    }

    @Test
    void servesOnFd0FromEnvAndListensOnNoOtherPort(TestInfo test) throws Exception {
        try (InheritedSocketProcess micronaut = startAtFd0(test)) {
            Duration boot = BootTimer.firstOk(micronaut, "/", BOOT);
            System.out.println("micronaut (fd 0, nio) exec to first 200 on the inherited socket: " + boot.toMillis() + " ms");
            assertServesOnlyTheInheritedSocket(micronaut);
        }
    }

    @Test
    void servesOnFd5WithEpollAndListensOnNoOtherPort(TestInfo test) throws Exception {
        try (InheritedSocketProcess micronaut = startAtFd(5, test)) {
            Duration boot = BootTimer.firstOk(micronaut, "/", BOOT);
            System.out.println("micronaut (fd 5, epoll) exec to first 200 on the inherited socket: " + boot.toMillis() + " ms");
            assertServesOnlyTheInheritedSocket(micronaut);
        }
    }

    private static void assertServesOnlyTheInheritedSocket(InheritedSocketProcess micronaut) throws Exception {
        RawHttp.Response root = RawHttp.get(micronaut.port(), "/", 10_000);
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.header("X-Worker-Pid")).isEqualTo(Long.toString(micronaut.pid()));
        assertThat(root.body()).contains("pid " + micronaut.pid());
        RawHttp.Response echo = RawHttp.post(micronaut.port(), "/echo", "hello prefork", 10_000);
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("hello prefork");
        assertThat(micronaut.listeningPorts()).as("LISTEN sockets of pid %d", micronaut.pid())
                .containsExactly(micronaut.port());
    }

    @Test
    void sigtermLetsTheRequestInFlightFinish(TestInfo test) throws Exception {
        try (InheritedSocketProcess micronaut = startAtFd(5, test)) {
            BootTimer.firstOk(micronaut, "/", BOOT);
            SigtermDuringRequest term = SigtermDuringRequest.run(micronaut, "/sleep?ms=3000");
            System.out.println("micronaut SIGTERM with a request in flight: exit " + term.exitCode() + " after "
                    + term.termToExit().toMillis() + " ms");

            assertThat(term.inFlight().status()).isEqualTo(200);
            assertThat(term.inFlight().body()).startsWith("slept 3000 ms");
            assertThat(term.exitCode()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        }
    }
}
