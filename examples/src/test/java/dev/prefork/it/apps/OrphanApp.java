package dev.prefork.it.apps;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /orphan} starts {@code sh -c 'sleep 0.2 &'}: the shell exits at once (the worker's JDK reaps it) and
 * its background {@code sleep} is orphaned, so it is re-parented to the nearest subreaper, the master, and
 * becomes the master's zombie when it exits. Any other path answers 200.
 */
public final class OrphanApp implements Application {
    @Override
    public HttpHandler handler() {
        return request -> {
            if (!request.path().equals("/orphan")) {
                return CompletableFuture.completedFuture(HttpResponse.ok("ok"));
            }
            // Off the event loop: waitFor blocks, briefly.
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Process shell = new ProcessBuilder("sh", "-c", "sleep 0.2 &").start();
                    return HttpResponse.ok("shell exited " + shell.waitFor());
                } catch (IOException e) {
                    return HttpResponse.text(500, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return HttpResponse.text(500, "interrupted");
                }
            });
        };
    }
}
