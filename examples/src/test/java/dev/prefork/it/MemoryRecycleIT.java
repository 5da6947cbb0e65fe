package dev.prefork.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --max-worker-heap}: a worker whose live heap (after GC) grows past the limit through the example's leak
 * endpoint is recycled through the roll, reason {@code memory}, and the log names the figure.
 */
class MemoryRecycleIT {
    @RegisterExtension
    final StartedMasters masters = new StartedMasters();

    @Test
    void aWorkerLeakingHeapPastTheLimitIsRecycledForMemory() throws Exception {
        // Workers run with the lean default -Xmx256m: 50% is 128 MiB of live heap.
        MasterProcess m = MasterProcess.start("--workers", "2", "--max-worker-heap", "50%", "--example-leak-endpoint");
        masters.add(m);
        m.awaitReady(2);
        long leaker = -1;
        for (int i = 0; i < 20 && leaker < 0; i++) {
            RawHttp.Response r = RawHttp.get(m.port, "/leak?mb=32");
            assertThat(r.status()).isEqualTo(200);
            int mib = Integer.parseInt(r.body().replaceAll("[^0-9]", ""));
            if (mib >= 160) {
                leaker = r.workerPid();
            }
        }
        assertThat(leaker).as("a worker holds 160 MiB of leaked heap").isPositive();
        long gone = leaker;
        await("the leaking worker is recycled for memory").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> m.metric("prefork_worker_restarts_total{reason=\"memory\"}") >= 1
                        && !m.workerPids().contains(gone) && m.readyWorkers() == 2);
        assertThat(m.metric("prefork_worker_restarts_total{reason=\"crashed\"}")).isZero();
        assertThat(m.logText()).contains("pid " + gone).containsPattern(
                // -Xmx256m shows as ~247 MiB: the serial GC leaves one survivor space out of the usable heap.
                "worker \\d+ pid " + gone + " has 1\\d\\d\\.\\d MiB of heap in use after GC, over --max-worker-heap 50% "
                        + "\\(12\\d\\.\\d MiB of a 2[45]\\d\\.\\d MiB heap\\); recycling it in turn");
        assertThat(RawHttp.get(m.port, "/").status()).isEqualTo(200);
    }
}
