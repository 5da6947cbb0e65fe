package dev.prefork.master.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void writtenAtStartAndRemovedAtExit() throws IOException {
        Path path = dir.resolve("master.pid");

        PidFile pidfile = PidFile.acquire(path, 1234, pid -> false);
        assertThat(Files.readString(path)).isEqualTo("1234\n");

        pidfile.release();
        assertThat(path).doesNotExist();
    }

    @Test
    void refusedWhileAnotherLiveProcessHoldsIt() throws IOException {
        Path path = dir.resolve("master.pid");
        Files.writeString(path, "999\n");

        assertThatThrownBy(() -> PidFile.acquire(path, 1234, pid -> pid == 999))
                .isInstanceOfSatisfying(PidFile.PidFileException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.RUNTIME_FAILURE))
                .hasMessageContaining(path.toString())
                .hasMessageContaining("pid 999")
                .hasMessageContaining("stop that master first");
        assertThat(Files.readString(path)).isEqualTo("999\n");
    }

    @Test
    void aStaleOrGarbledFileIsReplaced() throws IOException {
        Path path = dir.resolve("master.pid");
        Files.writeString(path, "999\n");
        PidFile.acquire(path, 1234, pid -> false);
        assertThat(Files.readString(path)).isEqualTo("1234\n");

        Files.writeString(path, "not a pid");
        PidFile.acquire(path, 1234, pid -> true);
        assertThat(Files.readString(path)).isEqualTo("1234\n");
    }

    @Test
    void aFileTakenOverByAnotherMasterIsLeftAlone() throws IOException {
        Path path = dir.resolve("master.pid");
        PidFile pidfile = PidFile.acquire(path, 1234, pid -> false);
        Files.writeString(path, "5678\n");

        pidfile.release();

        assertThat(Files.readString(path)).isEqualTo("5678\n");
    }

    @Test
    void anUnwritableLocationIsAUsageError() {
        Path path = dir.resolve("missing-dir").resolve("master.pid");

        assertThatThrownBy(() -> PidFile.acquire(path, 1234, pid -> false))
                .isInstanceOfSatisfying(PidFile.PidFileException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContaining(path.toString())
                .hasMessageContaining("existing directory");
    }

    @Test
    void theLiveCheckSeesThisProcessAndNotAnImpossiblePid() {
        assertThat(PidFile.isRunning(ProcessHandle.current().pid())).isTrue();
        assertThat(PidFile.isRunning(Integer.MAX_VALUE)).isFalse();
    }
}
