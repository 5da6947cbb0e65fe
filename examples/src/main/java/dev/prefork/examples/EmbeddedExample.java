package dev.prefork.examples;

import dev.prefork.master.MasterHooks;
import dev.prefork.master.Prefork;
import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import dev.prefork.worker.HttpResponse;
import dev.prefork.worker.WorkerContext;
import java.util.concurrent.CompletableFuture;

/** A user's own main: a small application and a master hook, started with the embedding builder. */
public final class EmbeddedExample {
    /** Runs in every worker JVM; public with a no-argument constructor. */
    public static final class Greeter implements Application {
        private String greeting;

        @Override
        public void init(WorkerContext context) {
            greeting = "Hello from worker " + context.workerId() + "\n";
        }

        @Override
        public HttpHandler handler() {
            return request -> CompletableFuture.completedFuture(HttpResponse.ok(greeting));
        }
    }

    public static void main(String[] args) {
        MasterHooks hooks = new MasterHooks() {
            @Override
            public void whenReady(MasterInfo master) {
                System.out.println("embedded: ready, " + master.config().workers() + " workers on " + master.config().binds());
            }
        };
        System.exit(Prefork.builder().bind("127.0.0.1:8080").workers(2).application(Greeter.class).hooks(hooks)
                .build().run(args));
    }
}
