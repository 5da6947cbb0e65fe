package dev.prefork.examples.springboot;

import java.util.concurrent.TimeUnit;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A few endpoints to exercise a worker: who served me, slow requests, CPU-bound requests, a body round trip. */
@RestController
public class ExampleController {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @GetMapping("/")
    public ResponseEntity<String> hello() {
        return ResponseEntity.ok().header("X-Worker-Pid", PID).body("Hello from Spring Boot, pid " + PID + "\n");
    }

    @GetMapping("/sleep")
    public ResponseEntity<String> sleep(@RequestParam(defaultValue = "1000") long ms) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(ms);
        System.out.println("slept " + ms + " ms in pid " + PID);
        return ResponseEntity.ok().header("X-Worker-Pid", PID).body("slept " + ms + " ms\n");
    }

    @GetMapping("/burn")
    public ResponseEntity<String> burn(@RequestParam(defaultValue = "100") long ms) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        return ResponseEntity.ok().header("X-Worker-Pid", PID).body("burned " + ms + " ms (" + x + ")\n");
    }

    @PostMapping("/echo")
    public ResponseEntity<byte[]> echo(@RequestBody(required = false) byte[] body) {
        return ResponseEntity.ok().header("X-Worker-Pid", PID).body(body == null ? new byte[0] : body);
    }
}
