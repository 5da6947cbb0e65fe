package dev.prefork.master.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalRelayTest {

    /** CHLD only: its default action is to ignore, so this test cannot disturb the test JVM whatever happens. */
    @Test
    void aSignalReachesTheSinkAsAnEvent() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        SignalRelay.install(received::add, "CHLD");

        Process kill = new ProcessBuilder("kill", "-CHLD", Long.toString(ProcessHandle.current().pid())).start();
        try {
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();
        } finally {
            kill.destroyForcibly();
        }

        // The kill child's own exit also raises CHLD: at least one arrives.
        await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        assertThat(received).containsOnly("CHLD");
    }
}
