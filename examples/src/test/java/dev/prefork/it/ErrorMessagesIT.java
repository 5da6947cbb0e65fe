package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures end with one line that names the failing call or value and the remedy, and the contract's
 * exit code. Some run the master as user nobody (the tests run as root, who may write and bind anything).
 */
class ErrorMessagesIT {
    private final List<MasterProcess> masters = new ArrayList<>();

    @AfterEach
    void killEverything() {
        masters.forEach(MasterProcess::close);
    }

    private MasterProcess track(MasterProcess master) {
        masters.add(master);
        return master;
    }

    @Test
    void aControlDirThatIsAFileNamesTheOptionThePathAndTheRemedy(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        MasterProcess master = track(MasterProcess.start("--workers", "1", "--control-dir", file.toString()));
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(errorLine(master)).contains("--control-dir", file.toString(), "is not writable", "mkdir",
                "point --control-dir at a writable directory");
        assertThat(master.seenDescendants()).isEmpty();
    }

    @Test
    void aControlDirTheUserCannotWriteNamesEaccesAndTheRemedy(@TempDir Path dir) throws Exception {
        Path rootOnly = Files.createDirectory(dir.resolve("root-only"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        MasterProcess master = track(MasterProcess.startJarAsNobody("--workers", "1", "--control-dir", rootOnly.toString()));
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(errorLine(master)).contains("--control-dir", rootOnly.toString(), "EACCES", "permission denied",
                "point --control-dir at a writable directory");
    }

    @Test
    void aPidfileHeldByALiveMasterNamesThePidAndTheRemedy(@TempDir Path dir) throws Exception {
        Path pidfile = dir.resolve("prefork.pid");
        MasterProcess first = track(MasterProcess.start("--workers", "1", "--pidfile", pidfile.toString())).awaitReady(1);
        assertThat(Files.readString(pidfile).trim()).isEqualTo(Long.toString(first.pid()));

        MasterProcess second = track(MasterProcess.start("--workers", "1", "--pidfile", pidfile.toString()));
        assertThat(second.waitForExit(Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(errorLine(second)).contains("--pidfile", pidfile.toString(), "holds pid " + first.pid(),
                "a running process", "stop that master first");
        assertThat(second.seenDescendants()).isEmpty();
        first.assertAlive();
        assertThat(Files.readString(pidfile).trim()).as("the live master's pid file is left alone")
                .isEqualTo(Long.toString(first.pid()));
    }

    @Test
    void permissionDeniedOnAPrivilegedPortNamesTheCallAndTheRemedy() throws Exception {
        MasterProcess master = track(MasterProcess.startJarAsNobody("--workers", "1", "--bind", "127.0.0.1:80"));
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(4);
        assertThat(errorLine(master)).contains("--bind 127.0.0.1:80", "permission denied", "EACCES",
                "use a port >= 1024 or grant CAP_NET_BIND_SERVICE");
        assertThat(master.seenDescendants()).isEmpty();
    }

    @Test
    void aMissingApplicationClassNamesTheClassAndTheRemedy() throws Exception {
        MasterProcess master = track(MasterProcess.startMain("--workers", "1", "com.example.NoSuchApp"));
        assertThat(master.waitForExit(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(master.logText()).contains("application class com.example.NoSuchApp not found on the worker's classpath",
                "check APP_CLASS and that the application's jar is on -cp");
    }

    /** The line that explains the failure: stderr's "prefork: ..." line. */
    private static String errorLine(MasterProcess master) {
        return master.logText().lines().filter(l -> l.startsWith("prefork: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'prefork: ' line in:\n" + master.logText()));
    }
}
