package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainerTest {
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger(2);
    private final List<Integer> exits = new CopyOnWriteArrayList<>();

    private final ServingControl serving = new ServingControl() {
        @Override
        public CompletionStage<Integer> stopAccepting() {
            steps.add("stopAccepting");
            return CompletableFuture.completedFuture(3);
        }

        @Override
        public void answerWithConnectionClose() {
            steps.add("connectionClose");
        }

        @Override
        public int openConnections() {
            return open.get();
        }

        @Override
        public void closeAllConnections() {
            steps.add("closeAll");
        }

        @Override
        public void closeApplication() {
            steps.add("closeApplication");
        }
    };

    private final ProcessExit exit = new ProcessExit() {
        @Override
        public void halt(int status) {
            exits.add(-status);
        }

        @Override
        public void exit(int status) {
            exits.add(status);
        }
    };

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    private Drainer drainer(long gracefulMillis) {
        return new Drainer(new WorkerIdentity(1, 2), loop, serving, gracefulMillis, System::nanoTime, exit);
    }

    @Test
    void keepsAcceptingForTheDelayThenExitsWhenTheLastConnectionCloses() {
        Drainer drainer = drainer(10_000);
        long start = System.nanoTime();
        loop.execute(() -> drainer.drain(300, "test"));
        await().atMost(Duration.ofSeconds(1)).until(() -> steps.contains("connectionClose"));
        assertThat(steps).containsExactly("connectionClose");
        await().atMost(Duration.ofSeconds(2)).until(() -> steps.contains("stopAccepting"));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
        assertThat(steps).containsExactly("connectionClose", "stopAccepting");
        assertThat(exits).isEmpty();
        open.set(0);
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeApplication");
        assertThat(exits).containsExactly(0);
    }

    @Test
    void closesWhatIsLeftAtTheGracefulTimeout() {
        Drainer drainer = drainer(200);
        loop.execute(() -> drainer.drain(0, "test"));
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeAll", "closeApplication");
        assertThat(exits).containsExactly(0);
    }

    @Test
    void aSecondDrainIsIgnored() {
        Drainer drainer = drainer(10_000);
        loop.execute(() -> drainer.drain(0, "first"));
        loop.execute(() -> drainer.drain(0, "second"));
        open.set(0);
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeApplication");
        assertThat(exits).containsExactly(0);
    }
}
