package dev.prefork.examples.micronaut;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * The example endpoints, the same in every Prefork example: {@code GET /} (text with the pid; every response has
 * header {@code X-Worker-Pid}, see {@link WorkerPidFilter}), {@code GET /sleep?ms=N} (holds a blocking-executor
 * thread N ms), {@code GET /burn?ms=N} (spins a CPU N ms), {@code POST /echo} (returns the body).
 */
@Controller
public class ExampleController {
    static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final long MAX_MS = 600_000;

    @Get(uri = "/", produces = MediaType.TEXT_PLAIN)
    public String index() {
        return "Hello from Micronaut, pid " + PID + "\n";
    }

    @Get(uri = "/sleep", produces = MediaType.TEXT_PLAIN)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<String> sleep(@QueryValue("ms") String ms) throws InterruptedException {
        long millis = millis(ms);
        if (millis < 0) {
            return badMs();
        }
        Thread.sleep(millis);
        return HttpResponse.ok("slept " + millis + " ms in pid " + PID + "\n");
    }

    @Get(uri = "/burn", produces = MediaType.TEXT_PLAIN)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<String> burn(@QueryValue("ms") String ms) {
        long millis = millis(ms);
        if (millis < 0) {
            return badMs();
        }
        long deadline = System.nanoTime() + millis * 1_000_000;
        long spins = 0;
        while (System.nanoTime() < deadline) {
            spins++;
        }
        return HttpResponse.ok("burned " + millis + " ms (" + spins + " spins) in pid " + PID + "\n");
    }

    @Post(uri = "/echo", consumes = MediaType.ALL)
    public HttpResponse<byte[]> echo(@Body byte[] body, @Header(value = "Content-Type", defaultValue = "application/octet-stream") String type) {
        return HttpResponse.ok(body).contentType(type);
    }

    /** {@code ms} as 0..600000, or -1 when malformed or out of range. */
    private static long millis(String value) {
        try {
            long ms = Long.parseLong(value);
            return ms >= 0 && ms <= MAX_MS ? ms : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static HttpResponse<String> badMs() {
        return HttpResponse.<String>badRequest("ms must be a whole number 0.." + MAX_MS + "\n")
                .contentType(MediaType.TEXT_PLAIN_TYPE);
    }
}
