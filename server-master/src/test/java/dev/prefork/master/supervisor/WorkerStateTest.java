package dev.prefork.master.supervisor;

import static dev.prefork.master.supervisor.WorkerState.CONNECTED;
import static dev.prefork.master.supervisor.WorkerState.DRAINING;
import static dev.prefork.master.supervisor.WorkerState.LOST;
import static dev.prefork.master.supervisor.WorkerState.EXITED;
import static dev.prefork.master.supervisor.WorkerState.READY;
import static dev.prefork.master.supervisor.WorkerState.SPAWNED;
import static dev.prefork.master.supervisor.WorkerState.STANDBY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerStateTest {
    private static final Map<WorkerState, Set<WorkerState>> ALLOWED = Map.of(
            SPAWNED, EnumSet.of(CONNECTED, DRAINING, EXITED),
            CONNECTED, EnumSet.of(READY, STANDBY, DRAINING, EXITED),
            STANDBY, EnumSet.of(READY, DRAINING, LOST, EXITED),
            READY, EnumSet.of(DRAINING, LOST, EXITED),
            LOST, EnumSet.of(DRAINING, EXITED),
            DRAINING, EnumSet.of(EXITED),
            EXITED, EnumSet.noneOf(WorkerState.class));

    @Test
    void exactlyTheDocumentedTransitionsAreAllowed() {
        for (WorkerState from : WorkerState.values()) {
            for (WorkerState to : WorkerState.values()) {
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(ALLOWED.get(from).contains(to));
            }
        }
    }

    @Test
    void anIllegalTransitionThrowsNamingTheWorker() {
        WorkerHandle h = new WorkerHandle(3, 0, 0, new FakeProcess(12345), "s", 0, 0);
        h.moveTo(CONNECTED);
        h.moveTo(READY);

        assertThatThrownBy(() -> h.moveTo(CONNECTED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("worker 3 pid 12345")
                .hasMessageContaining("READY -> CONNECTED");
        h.moveTo(EXITED);
        assertThatThrownBy(() -> h.moveTo(DRAINING)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSecretNeverAppearsInToString() {
        WorkerHandle h = new WorkerHandle(3, 0, 0, new FakeProcess(12345), "topsecret", 0, 0);

        assertThat(h.toString()).isEqualTo("worker 3 pid 12345").doesNotContain("topsecret");
    }

    @Test
    void statesMapToTheMetricTags() {
        assertThat(SPAWNED.metricTag()).isEqualTo("booting");
        assertThat(CONNECTED.metricTag()).isEqualTo("booting");
        assertThat(READY.metricTag()).isEqualTo("ready");
        assertThat(DRAINING.metricTag()).isEqualTo("draining");
        assertThat(LOST.metricTag()).as("a dying process is leaving").isEqualTo("draining");
        assertThat(EXITED.metricTag()).isNull();
    }
}
