package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.MetricNames;
import dev.prefork.master.os.Posix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArbiterTimeoutTest {

    private static ArbiterRig readyPool(Duration timeout) {
        ArbiterRig rig = new ArbiterRig(ArbiterRig.config().workers(2).timeout(timeout).build()).start();
        rig.bootAll();
        return rig;
    }

    @Test
    void aSilentWorkerGetsAThreadDumpThenSigkillAndIsReplaced() {
        ArbiterRig rig = readyPool(Duration.ofSeconds(2));
        WorkerHandle hung = rig.worker(1);
        WorkerHandle alive = rig.worker(2);

        for (int i = 0; i < 5; i++) {
            rig.elapse(Duration.ofMillis(500));
            rig.heartbeat(alive, 0);
        }

        assertThat(rig.posix.signalsTo(hung.pid())).containsExactly(Posix.SIGQUIT);
        assertThat(rig.posix.signalsTo(alive.pid())).isEmpty();
        assertThat(rig.restarts(MetricNames.REASON_TIMEOUT)).isEqualTo(1);
        WorkerHandle replacement = rig.worker(3);
        assertThat(replacement).as("replacement spawned at once").isNotNull();
        assertThat(replacement.slot()).isEqualTo(hung.slot());

        rig.elapse(Duration.ofMillis(500));
        assertThat(rig.posix.signalsTo(hung.pid())).containsExactly(Posix.SIGQUIT, Posix.SIGKILL);
        rig.exit(hung, 137);
        assertThat(rig.restarts(MetricNames.REASON_CRASHED)).as("its exit is no crash").isZero();
        assertThat(rig.live()).extracting(WorkerHandle::id).containsExactly(2, 3);
    }

    @Test
    void heartbeatsKeepAWorkerAlive() {
        ArbiterRig rig = readyPool(Duration.ofSeconds(1));

        for (int i = 0; i < 20; i++) {
            rig.elapse(Duration.ofMillis(500));
            rig.heartbeat(rig.worker(1), 10);
            rig.heartbeat(rig.worker(2), 10);
        }

        assertThat(rig.posix.kills).isEmpty();
    }

    @Test
    void aWorkerWhoseEventLoopLagsBeyondTheTimeoutIsHung() {
        ArbiterRig rig = readyPool(Duration.ofSeconds(2));
        WorkerHandle lagging = rig.worker(1);

        rig.heartbeat(lagging, 2500);
        rig.elapse(Duration.ofMillis(100));

        assertThat(rig.posix.signalsTo(lagging.pid())).containsExactly(Posix.SIGQUIT);
        assertThat(rig.restarts(MetricNames.REASON_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void timeoutZeroTurnsTheCheckOff() {
        ArbiterRig rig = readyPool(Duration.ZERO);

        rig.elapse(Duration.ofSeconds(120));

        assertThat(rig.posix.kills).isEmpty();
    }
}
