package dev.prefork.it.apps;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code GET /oom} allocates until OutOfMemoryError; any other path answers 200 with the worker's pid. */
public final class OomApp implements Application {
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    /** Holds the allocations so the collector cannot free them. */
    private static final List<byte[]> HOARD = new ArrayList<>();

    @Override
    public HttpHandler handler() {
        return request -> {
            if (request.path().equals("/oom")) {
                while (true) {
                    HOARD.add(new byte[1 << 20]);
                }
            }
            return CompletableFuture.completedFuture(HttpResponse.ok("ok").withHeader("X-Worker-Pid", PID));
        };
    }
}
