package dev.prefork.master.cds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WorkerCdsPreparationTest {
    private static final ServerConfig CONFIG = ServerConfig.builder().appClass("test.App").build();
    private static final Duration SHORT = Duration.ofMillis(200);

    @Test
    void exitsZeroOnlyWhenTheArchiveIsReady() {
        assertThat(WorkerCdsPreparation.await(CompletableFuture.completedFuture(Optional.of(Path.of("/c/w.jsa"))),
                CONFIG, SHORT)).isEqualTo(ExitCodes.OK);
        assertThat(WorkerCdsPreparation.await(CompletableFuture.completedFuture(Optional.empty()), CONFIG, SHORT))
                .as("none can be made").isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(WorkerCdsPreparation.await(CompletableFuture.failedFuture(new IllegalStateException("killed")),
                CONFIG, SHORT)).as("training failed").isEqualTo(ExitCodes.RUNTIME_FAILURE);
    }

    @Test
    void givesUpAfterItsTimeboxAndWhenCdsIsOff() {
        assertThat(WorkerCdsPreparation.await(new CompletableFuture<>(), CONFIG, SHORT))
                .as("a training run that never ends").isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(WorkerCdsPreparation.await(CompletableFuture.completedFuture(Optional.of(Path.of("/c/w.jsa"))),
                CONFIG.toBuilder().workerCds(false).build(), SHORT)).isEqualTo(ExitCodes.RUNTIME_FAILURE);
    }
}
