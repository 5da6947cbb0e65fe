package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input never starts a half-working server: one line naming the option and value, and the contract's exit code. */
class CliIT {
    private MasterProcess master;

    @AfterEach
    void killEverything() {
        if (master != null) {
            master.close();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--workers|0|--workers",
            "--workers|abc|--workers",
            "--workers|2000|--workers",
            "--timeout|-1|--timeout",
            "--log-level|loud|--log-level",
            "--max-requests|many|--max-requests",
    })
    void badValuesExitTwoNamingTheOption(String option, String value, String named) throws Exception {
        master = MasterProcess.start(option, value);
        assertThat(master.waitForExit(Duration.ofSeconds(20))).isEqualTo(2);
        assertThat(master.logText()).contains(named).contains(value);
        assertThat(master.seenDescendants()).isEmpty();
    }

    @Test
    void anUnknownOptionExitsTwo() throws Exception {
        master = MasterProcess.start("--frobnicate", "3");
        assertThat(master.waitForExit(Duration.ofSeconds(20))).isEqualTo(2);
        assertThat(master.logText()).contains("--frobnicate");
    }

    @Test
    void anAddressInUseExitsFour() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.setReuseAddress(false);
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            master = MasterProcess.start("--bind", "127.0.0.1:" + taken.getLocalPort(), "--workers", "1");
            assertThat(master.waitForExit(Duration.ofSeconds(20))).isEqualTo(4);
            assertThat(master.logText()).contains("127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aMissingApplicationClassStopsTheMasterWithThree() throws Exception {
        master = MasterProcess.startMain("--workers", "2", "com.example.NoSuchApp");
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(master.logText()).contains("com.example.NoSuchApp");
        assertThat(master.seenDescendants()).allSatisfy(p -> assertThat(MasterProcess.hasExited(p)).isTrue());
    }
}
