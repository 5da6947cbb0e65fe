package dev.prefork.it.apps;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A worker whose application turns hostile: {@code GET /impersonate?socket=PATH&id=N&secret=S} sends a Hello
 * from this spawned worker's own pid to the master's control socket and answers with what came back
 * ({@link ControlProbe}). {@code id=self} claims this worker's own id. Other paths answer 200 with the pid.
 */
public final class ImpersonatorApp implements Application {
    private volatile int workerId;

    @Override
    public void init(WorkerContext context) {
        workerId = context.workerId();
    }

    @Override
    public HttpHandler handler() {
        String pid = Long.toString(ProcessHandle.current().pid());
        return request -> {
            if (!request.path().equals("/impersonate")) {
                return CompletableFuture.completedFuture(HttpResponse.ok(Integer.toString(workerId))
                        .withHeader("X-Worker-Pid", pid));
            }
            String id = request.queryParameter("id");
            int claimed = "self".equals(id) ? workerId : Integer.parseInt(id);
            Path socket = Path.of(request.queryParameter("socket"));
            String secret = request.queryParameter("secret");
            // Off the event loop: the probe blocks until the master answers.
            return CompletableFuture.supplyAsync(() -> HttpResponse.ok(ControlProbe.hello(socket, claimed, secret))
                    .withHeader("X-Worker-Pid", pid));
        };
    }
}
