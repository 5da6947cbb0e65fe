package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefork.core.control.ControlMessage;
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

    private Drainer drainer() {
        return new Drainer(new WorkerIdentity(1, 2), loop, serving, System::nanoTime, exit);
    }

    /** The master's Drain, received now. */
    private static DrainOrder order(long acceptForMillis, long finishWithinMillis) {
        return DrainOrder.fromMaster(new ControlMessage.Drain(acceptForMillis, finishWithinMillis), System.nanoTime());
    }

    @Test
    void keepsAcceptingForTheDelayThenExitsWhenTheLastConnectionCloses() {
        Drainer drainer = drainer();
        long start = System.nanoTime();
        loop.execute(() -> drainer.drain(order(300, 10_000)));
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
    void closesWhatIsLeftAtTheDeadline() {
        Drainer drainer = drainer();
        loop.execute(() -> drainer.drain(order(0, 200)));
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeAll", "closeApplication");
        assertThat(exits).containsExactly(0);
    }

    @Test
    void aSecondDrainIsIgnored() {
        Drainer drainer = drainer();
        loop.execute(() -> drainer.drain(order(0, 10_000)));
        loop.execute(() -> drainer.drain(order(0, 20_000)));
        open.set(0);
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeApplication");
        assertThat(exits).containsExactly(0);
    }

    /** Issue 12, defect 1: the deadline is the master's, counted from its send, not the delay plus a timeout. */
    @Test
    void theDeadlineIncludesTheDrainDelay() {
        Drainer drainer = drainer();
        long start = System.nanoTime();
        loop.execute(() -> drainer.drain(order(300, 500)));
        await().atMost(Duration.ofSeconds(2)).until(() -> steps.contains("closeAll"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("closed at the deadline, 500 ms after the send, not 300 + 500").isBetween(500L, 790L);
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeAll", "closeApplication");
    }

    /** SIGTERM to the worker has no deadline of its own; the master's Drain that follows sets it. */
    @Test
    void theMastersDrainSetsTheDeadlineOfADrainStartedBySigterm() {
        Drainer drainer = drainer();
        loop.execute(() -> drainer.drain(DrainOrder.unbounded("SIGTERM", System.nanoTime())));
        await().atMost(Duration.ofSeconds(1)).until(() -> steps.contains("stopAccepting"));
        loop.execute(() -> drainer.drain(order(0, 200)));
        await().atMost(Duration.ofSeconds(2)).until(() -> !exits.isEmpty());
        assertThat(steps).containsExactly("connectionClose", "stopAccepting", "closeAll", "closeApplication");
    }
}
