package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrashBackoffTest {
    private static final long MS = 1_000_000L;
    private final CrashBackoff backoff = new CrashBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(10));

    @Test
    void noDelayBeforeAnyCrash() {
        assertThat(backoff.delayNanos()).isZero();
        assertThat(backoff.allowsSpawn(0)).isTrue();
    }

    @Test
    void theDelayDoublesPerStepUpToTheCap() {
        long now = 0;
        long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (long delay : expected) {
            backoff.crashed(now, "crash");
            assertThat(backoff.delayNanos()).isEqualTo(delay * MS);
            assertThat(backoff.allowsSpawn(now + delay * MS - 1)).isFalse();
            assertThat(backoff.allowsSpawn(now + delay * MS)).isTrue();
            now += delay * MS;
        }
        assertThat(backoff.step()).isEqualTo(8);
    }

    @Test
    void crashesWithinOneDelayAddNoStepButPushTheRespawnBack() {
        backoff.crashed(0, "a");
        backoff.crashed(50 * MS, "b");

        assertThat(backoff.step()).isEqualTo(1);
        assertThat(backoff.allowsSpawn(120 * MS)).isFalse();
        assertThat(backoff.allowsSpawn(150 * MS)).isTrue();
    }

    @Test
    void resetsOnceAWorkerReadyAfterTheLastCrashStaysReady() {
        backoff.crashed(0, "a");
        backoff.crashed(100 * MS, "b");

        backoff.stillReady(50 * MS, 20_000 * MS);
        assertThat(backoff.step()).as("ready before the last crash does not count").isEqualTo(2);
        backoff.stillReady(300 * MS, 5_000 * MS);
        assertThat(backoff.step()).as("not ready long enough").isEqualTo(2);
        backoff.stillReady(300 * MS, 10_300 * MS);
        assertThat(backoff.step()).isZero();
        assertThat(backoff.delayNanos()).isZero();
    }

    @Test
    void onlyDeathsBeforeReadyOrByTheirOwnHandSoonAfterCountAsACrashLoop() {
        assertThat(backoff.countsTowardsBackoff(WorkerHandle.NEVER, 5_000 * MS, 137)).as("killed while booting").isTrue();
        assertThat(backoff.countsTowardsBackoff(WorkerHandle.NEVER, 5_000 * MS, 1)).as("exit while booting").isTrue();
        assertThat(backoff.countsTowardsBackoff(1_000 * MS, 10_999 * MS, 1)).as("exit 1 after 9.999 s ready").isTrue();
        assertThat(backoff.countsTowardsBackoff(1_000 * MS, 1_100 * MS, 134)).as("JVM abort soon after ready").isTrue();
        assertThat(backoff.countsTowardsBackoff(1_000 * MS, 11_000 * MS, 1)).as("exit 1 after 10 s ready").isFalse();
        assertThat(backoff.countsTowardsBackoff(1_000 * MS, 1_100 * MS, 137)).as("SIGKILL after ready").isFalse();
    }
}
