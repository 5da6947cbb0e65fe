package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuietExitTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final QuietExit exit = new QuietExit(new ProcessExit() {
        @Override
        public void halt(int status) {
            calls.add("halt " + status + (loops.isTerminated() ? " after the loops stopped" : " with loops running"));
        }

        @Override
        public void exit(int status) {
            calls.add("exit " + status + (loops.isTerminated() ? " after the loops stopped" : " with loops running"));
        }
    });

    @AfterEach
    void stopLoops() throws InterruptedException {
        loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void exitStopsTheThreadsParkedInNativeCodeFirst() {
        exit.stopBeforeExit(loops);
        exit.stopBeforeExit(() -> calls.add("stdin released"));

        exit.exit(0);

        assertThat(calls).containsExactly("stdin released", "exit 0 after the loops stopped");
    }

    @Test
    void haltDoesTooAndAFailingStopperDoesNotKeepTheProcessAlive() {
        exit.stopBeforeExit(() -> {
            throw new IllegalStateException("already closed");
        });
        exit.stopBeforeExit(loops);

        exit.halt(4);

        assertThat(calls).containsExactly("halt 4 after the loops stopped");
    }

    @Test
    void calledOnOneOfTheLoopsItDoesNotWaitForItself() throws Exception {
        EventLoopGroup own = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        exit.stopBeforeExit(own);
        CompletableFuture<Long> took = new CompletableFuture<>();

        own.next().execute(() -> {
            long start = System.nanoTime();
            exit.exit(0);
            took.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });

        assertThat(took.get(5, TimeUnit.SECONDS)).as("ms; waiting for its own loop would take the full bound")
                .isLessThan(QuietExit.LOOP_STOP_MILLIS);
        assertThat(calls).singleElement().asString().startsWith("exit 0");
        assertThat(own.terminationFuture().await(5, TimeUnit.SECONDS)).as("it stops once the task returns").isTrue();
    }

    @Test
    void theFirstCallDecidesTheStatusALaterOneChangesNothing() {
        exit.stopBeforeExit(() -> exit.halt(5)); // e.g. the control connection closing reads as the master gone

        exit.halt(3);
        exit.exit(0);

        assertThat(exit.exiting()).isTrue();
        assertThat(calls).containsExactly("halt 3 with loops running");
    }
}
