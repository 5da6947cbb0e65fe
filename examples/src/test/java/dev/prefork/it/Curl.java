package dev.prefork.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code curl} (a client that is not ours) and returns status, body and its timings. */
final class Curl {
    private Curl() {
    }

    /**
     * What curl saw: {@code status} 0 when it got no response; {@code exit} is curl's own exit code;
     * {@code httpVersion} as curl names it (1.1, 2), 0 without a response.
     */
    record Result(int exit, int status, String body, double seconds, String httpVersion, String raw) {
    }

    private static final String MARK = "\n--curl-write-out--";

    /** {@code curl -sS --max-time 20 [args] -w ...}; args end with the URL. */
    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-w", MARK + "%{http_code} %{time_total} %{http_version}"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish: " + cmd);
        }
        int at = out.lastIndexOf(MARK);
        if (at < 0) {
            return new Result(p.exitValue(), 0, out, 0, "0", out);
        }
        String[] tail = out.substring(at + MARK.length()).trim().split(" ");
        return new Result(p.exitValue(), Integer.parseInt(tail[0]), out.substring(0, at), Double.parseDouble(tail[1]),
                tail[2], out);
    }
}
