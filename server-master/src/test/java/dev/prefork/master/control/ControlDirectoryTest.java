package dev.prefork.master.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlDirectoryTest {
    @TempDir
    Path parent;

    @Test
    void createsAnOwnerOnlyDirectoryNamedAfterThePid() throws Exception {
        try (ControlDirectory dir = ControlDirectory.create(parent)) {
            Path created = dir.directory();
            assertThat(created.getParent()).isEqualTo(parent.toAbsolutePath());
            assertThat(created.getFileName().toString())
                    .matches("prefork-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
            assertThat(dir.socketPath()).isEqualTo(created.resolve("control.sock"));
        }
    }

    @Test
    void twoDirectoriesDoNotCollide() {
        try (ControlDirectory a = ControlDirectory.create(parent); ControlDirectory b = ControlDirectory.create(parent)) {
            assertThat(a.directory()).isNotEqualTo(b.directory());
        }
    }

    @Test
    void closeRemovesTheSocketFileAndTheDirectory() throws Exception {
        ControlDirectory dir = ControlDirectory.create(parent);
        Files.createFile(dir.socketPath());

        dir.close();
        dir.close();

        assertThat(dir.directory()).doesNotExist();
    }

    @Test
    void closeAlsoRemovesTheWorkersSegmentFiles() throws Exception {
        ControlDirectory dir = ControlDirectory.create(parent);
        Files.createFile(dir.socketPath());
        Files.createFile(dir.directory().resolve("worker-1.seg"));
        Files.createFile(dir.directory().resolve("worker-12.seg"));

        dir.close();

        assertThat(dir.directory()).doesNotExist();
    }

    @Test
    void defaultsToTheTemporaryDirectory() {
        try (ControlDirectory dir = ControlDirectory.create(null)) {
            assertThat(dir.directory().getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        }
    }

    @Test
    void aParentThatIsNotADirectoryNamesOptionPathAndRemedy() throws Exception {
        // The tests run as root, so permissions cannot make the parent unwritable: a regular file can.
        Path file = Files.createFile(parent.resolve("plain-file"));

        assertThatThrownBy(() -> ControlDirectory.create(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--control-dir: '" + file + "' is not writable (")
                .hasMessageContaining("Not a directory")
                .hasMessageEndingWith("; point --control-dir at a writable directory");
    }

    @Test
    void aMissingParentIsNamed() {
        Path missing = parent.resolve("nope");

        assertThatThrownBy(() -> ControlDirectory.create(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--control-dir: '" + missing + "' does not exist; create it or point --control-dir at a"
                        + " writable directory");
    }

    @Test
    void aParentTooLongForASocketPathIsRefused() throws Exception {
        Path deep = Files.createDirectories(parent.resolve("x".repeat(100)));

        assertThatThrownBy(() -> ControlDirectory.create(deep))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("too long for a Unix socket path")
                .hasMessageContaining("--control-dir");
    }

    @Test
    void removesDirectoriesLeftByMastersThatAreGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        try {
            assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            gone.destroyForcibly();
        }
        Path stale = Files.createDirectory(parent.resolve("prefork-" + gone.pid() + "-0123456789abcdef"));
        Files.createFile(stale.resolve("control.sock"));
        Files.createFile(stale.resolve("worker-3.seg"));
        Path alive = Files.createDirectory(parent.resolve("prefork-" + ProcessHandle.current().pid() + "-0123456789abcdef"));
        Path foreign = Files.createDirectory(parent.resolve("prefork-" + gone.pid() + "-notours"));

        try (ControlDirectory dir = ControlDirectory.create(parent)) {
            assertThat(stale).doesNotExist();
            assertThat(alive).exists();
            assertThat(foreign).exists();
        }
    }
}
