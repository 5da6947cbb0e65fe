package dev.prefork.it.apps;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import java.util.concurrent.CompletableFuture;

/**
 * A worker that boots fine and dies shortly after (exit code 1), every time: a crash loop. It dies after it
 * reported ready, so the master treats it as a crash to respawn with backoff, not as a boot failure.
 */
public final class CrashLoopApp implements Application {
    /** Milliseconds from init to the halt; long enough for Ready to reach the master. */
    static final long DIE_AFTER_MILLIS = Long.getLong("prefork.test.dieAfterMillis", 700);

    @Override
    public void init(WorkerContext context) {
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(DIE_AFTER_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "crash-loop-killer");
        killer.setDaemon(true);
        killer.start();
    }

    @Override
    public HttpHandler handler() {
        return request -> CompletableFuture.completedFuture(HttpResponse.ok("alive for now"));
    }
}
