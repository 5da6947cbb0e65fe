package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.net.BindException;
import dev.prefork.master.os.FakePosix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterTest {
    @TempDir
    Path dir;

    private final FakeInfrastructure infra = new FakeInfrastructure();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Master master;
    private CompletableFuture<Integer> running;

    private ServerConfig.Builder config() {
        return ArbiterRig.config().pidfile(dir.resolve("master.pid"));
    }

    private Master master(ServerConfig config) {
        master = new Master(config, () -> config, infra, new PrintStream(err, true, StandardCharsets.UTF_8), System::nanoTime);
        return master;
    }

    @AfterEach
    void stopMaster() throws Exception {
        if (running != null && !running.isDone()) {
            master.signal(MasterSignal.INT);
            infra.launcher.launches.forEach(l -> l.process().exit(0));
            running.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBindFailureExits4WithItsMessageAndStartsNothing() {
        infra.bindFailure = new BindException("--bind 127.0.0.1:80: permission denied; use a port above 1023", null);

        int code = master(config().build()).run();

        assertThat(code).isEqualTo(ExitCodes.CANNOT_BIND);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("prefork: --bind 127.0.0.1:80: permission denied; use a port above 1023" + System.lineSeparator());
        assertThat(infra.calls).containsExactly("signals");
        assertThat(dir.resolve("master.pid")).doesNotExist();
    }

    @Test
    void anAdminBindFailureExits4AndClosesWhatWasStarted() {
        infra.adminFailure = new BindException("--admin 127.0.0.1:9000: address in use; pick another port or --admin off", null);

        int code = master(config().build()).run();

        assertThat(code).isEqualTo(ExitCodes.CANNOT_BIND);
        assertThat(infra.calls).containsExactly("signals", "bind", "control", "close control", "close listeners");
        assertThat(infra.launcher.count()).isZero();
        assertThat(dir.resolve("master.pid")).doesNotExist();
    }

    @Test
    void aPidFileOfALiveProcessIsRefusedBeforeBinding() throws IOException {
        long other = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Files.writeString(dir.resolve("master.pid"), other + "\n");

        int code = master(config().build()).run();

        assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("master.pid").contains("pid " + other);
        assertThat(infra.calls).containsExactly("signals");
    }

    @Test
    void aFullRunStartsInOrderServesReadinessStopsOnTermAndCleansUp() throws Exception {
        ServerConfig config = config().workers(2).build();
        Master m = master(config);
        running = CompletableFuture.supplyAsync(m::run);

        await().atMost(Duration.ofSeconds(10)).until(() -> infra.launcher.count() == 2);
        assertThat(infra.calls).containsExactly("signals", "bind", "control", "admin", "launch 1", "launch 2");
        assertThat(Files.readString(dir.resolve("master.pid")).trim()).isEqualTo(Long.toString(FakePosix.MASTER_PID));
        await().atMost(Duration.ofSeconds(10)).until(() -> infra.healthy.getAsBoolean());
        assertThat(infra.ready.getAsBoolean()).isFalse();

        List<FakeLink> links = List.of(new FakeLink(), new FakeLink());
        for (int id = 1; id <= 2; id++) {
            infra.controlEvents.connected(id, links.get(id - 1));
            infra.controlEvents.message(id, new ControlMessage.Ready());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> infra.ready.getAsBoolean());
        String metrics = infra.registry.scrape();
        assertThat(metrics).contains("prefork_workers{state=\"ready\"} 2")
                .contains("prefork_worker_boot_seconds_bucket{le=")
                .contains("prefork_worker_boot_seconds_count 2")
                .contains("prefork_worker_restarts_total{reason=\"boot_failed\"} 0");

        m.signal(MasterSignal.TERM);
        await().atMost(Duration.ofSeconds(10)).until(() -> !infra.ready.getAsBoolean());
        for (FakeLink link : links) {
            await().atMost(Duration.ofSeconds(10)).until(() -> link.sent.contains(new ControlMessage.Drain(0, 5000)));
        }
        assertThat(running).isNotDone();
        infra.launcher.launches.forEach(l -> l.process().exit(0));

        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
        assertThat(infra.calls).endsWith("close admin", "close control", "close listeners");
        assertThat(dir.resolve("master.pid")).doesNotExist();
        assertThat(infra.healthy.getAsBoolean()).isFalse();
        assertThat(infra.launcher.count()).as("nothing respawned").isEqualTo(2);
    }

    @Test
    void theControlDirectoryOnlyAdmitsSpawnedWorkers() throws Exception {
        ServerConfig config = config().workers(1).admin((String) "off").build();
        Master m = master(config);
        running = CompletableFuture.supplyAsync(m::run);
        await().atMost(Duration.ofSeconds(10)).until(() -> infra.launcher.count() == 1);
        FakeProcess p = infra.launcher.launches.get(0).process();
        await().atMost(Duration.ofSeconds(10)).until(() -> p.secret != null);

        assertThat(infra.directory.admit(1, p.secret, (int) p.pid(), FakePosix.UID))
                .isInstanceOf(dev.prefork.master.control.WorkerDirectory.Admission.Accepted.class);
        assertThat(infra.directory.admit(2, p.secret, (int) p.pid(), FakePosix.UID))
                .isInstanceOf(dev.prefork.master.control.WorkerDirectory.Admission.Rejected.class);
        assertThat(infra.calls).doesNotContain("admin");
    }
}
