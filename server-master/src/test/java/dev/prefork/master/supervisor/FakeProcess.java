package dev.prefork.master.supervisor;

import dev.prefork.master.process.WorkerProcess;
import java.util.concurrent.CompletableFuture;

/** A worker process that exits when the test says so. */
final class FakeProcess implements WorkerProcess {
    private final long pid;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    volatile String secret;
    volatile boolean destroyed;

    FakeProcess(long pid) {
        this.pid = pid;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public void sendSecret(String secret) {
        this.secret = secret;
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    @Override
    public void destroyForcibly() {
        destroyed = true;
        exit.complete(137);
    }

    /** The process ends with {@code code}; the exit event reaches the master's queue. */
    void exit(int code) {
        exit.complete(code);
    }
}
