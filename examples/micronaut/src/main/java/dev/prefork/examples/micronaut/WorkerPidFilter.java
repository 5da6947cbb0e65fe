package dev.prefork.examples.micronaut;

import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/** Tags every response with the serving process, so a client can see which worker answered. */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class WorkerPidFilter {
    @ResponseFilter
    public void addWorkerPid(MutableHttpResponse<?> response) {
        response.header("X-Worker-Pid", ExampleController.PID);
    }
}
