package dev.prefork.examples.exectest;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** SIGTERM sent to a service while one request is in flight: what the client got, the exit code, how long it took. */
public record SigtermDuringRequest(RawHttp.Response inFlight, int exitCode, Duration termToExit) {

    /** GETs {@code path} (a slow request), sends SIGTERM once the service has accepted it, waits for the exit. */
    public static SigtermDuringRequest run(InheritedSocketProcess service, String path) throws Exception {
        CompletableFuture<RawHttp.Response> request = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(service.port(), path, 60_000);
            } catch (Exception e) {
                throw new IllegalStateException("GET " + path + " during SIGTERM", e);
            }
        });
        await("pid " + service.pid() + " to accept the " + path + " connection").atMost(Duration.ofSeconds(10))
                .until(() -> service.acceptedConnections() == 1);
        // From accept to the handler takes a few ms; a slow request leaves ample time before TERM matters.
        await().pollDelay(Duration.ofMillis(300)).until(service.process()::isAlive);
        long start = System.nanoTime();
        int exit = service.terminate(Duration.ofSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new SigtermDuringRequest(request.get(), exit, took);
    }
}
