package dev.prefork.master.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JnrPosixTest {
    private final JnrPosix posix = new JnrPosix();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStarted() {
        started.forEach(Process::destroyForcibly);
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    @Test
    void getuidMatchesIdU() throws Exception {
        Process id = start("id", "-u");
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(id.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(posix.getuid()).isEqualTo(Integer.parseInt(out));
    }

    @Test
    void getpidIsThisJvm() {
        assertThat(posix.getpid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void killTerminatesOwnChild() throws Exception {
        Process sleeper = start("sleep", "30");
        assertThat(posix.kill(sleeper.pid(), Posix.SIGTERM)).isTrue();
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeper.exitValue()).isEqualTo(128 + Posix.SIGTERM);
    }

    @Test
    void killOfAGoneProcessReturnsFalse() throws Exception {
        Process done = start("true");
        assertThat(done.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // The JDK has reaped it: the pid no longer exists (reuse within this test is vanishingly unlikely).
        assertThat(posix.kill(done.pid(), 0)).isFalse();
    }

    @Test
    void killWithABadSignalNamesCallPidSignalAndErrno() throws Exception {
        Process sleeper = start("sleep", "30");
        assertThatThrownBy(() -> posix.kill(sleeper.pid(), 9999))
                .isInstanceOf(OsException.class)
                .hasMessageContaining("kill(pid=" + sleeper.pid() + ", signal=9999)")
                .hasMessageContaining("EINVAL");
    }

    @Test
    void reapIfExitedOnANonChildReturnsFalse() {
        // pid 1 is never our child: ECHILD, nothing reaped.
        assertThat(posix.reapIfExited(1)).isFalse();
    }

    @Test
    void reapIfExitedRefusesGroupWaits() {
        assertThatThrownBy(() -> posix.reapIfExited(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> posix.reapIfExited(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setChildSubreaperIsAccepted() {
        try {
            assertThat(posix.setChildSubreaper()).isTrue();
        } finally {
            posix.setChildSubreaper(false);
        }
    }
}
