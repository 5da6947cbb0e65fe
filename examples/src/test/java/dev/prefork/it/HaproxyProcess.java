package dev.prefork.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy playing the Kubernetes Service in front of Prefork instances: a frontend on 127.0.0.1, one
 * backend server per instance, health-checked with {@code GET /readyz} on the instance's admin port. Runs in the
 * foreground ({@code -db}: one process, no fork; HAProxy writes no pid file in that mode, the process is its own
 * PID); {@link #close()} kills it by that PID whatever happened.
 */
final class HaproxyProcess implements AutoCloseable {
    /** One backend server: a Prefork instance's application port and admin (health-check) port. */
    record Backend(String name, int port, int adminPort) {
    }

    final int port;
    final int statsPort;
    final Path config;
    final Path log;
    private final Process process;

    private HaproxyProcess(int port, int statsPort, Path config, Path log, Process process) {
        this.port = port;
        this.statsPort = statsPort;
        this.config = config;
        this.log = log;
        this.process = process;
    }

    /** The haproxy binary: on PATH or Debian's /usr/sbin/haproxy; fails naming the remedy when there is none. */
    static Path binary() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "haproxy");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("haproxy not found on PATH or in /usr/sbin: install it (apt-get install haproxy, "
                + "or bash .ci/setup.sh as root)");
    }

    /** Writes the configuration into {@code dir}, checks it with {@code haproxy -c} and starts HAProxy. */
    static HaproxyProcess start(Path dir, Duration checkInterval, List<Backend> backends)
            throws IOException, InterruptedException {
        int port = MasterProcess.freePort();
        int statsPort = MasterProcess.freePort();
        Path config = dir.resolve("haproxy.cfg");
        Path log = dir.resolve("haproxy.log");
        Files.writeString(config, config(port, statsPort, checkInterval, backends), StandardCharsets.UTF_8);
        String haproxy = binary().toString();
        Process check = new ProcessBuilder(haproxy, "-c", "-q", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy-check.log").toFile()).start();
        if (!check.waitFor(20, TimeUnit.SECONDS) || check.exitValue() != 0) {
            check.destroyForcibly();
            throw new AssertionError("haproxy -c rejected " + config + ":\n"
                    + Files.readString(dir.resolve("haproxy-check.log")) + "\n" + Files.readString(config));
        }
        Process process = new ProcessBuilder(haproxy, "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new HaproxyProcess(port, statsPort, config, log, process);
    }

    /**
     * Keep-alive on both sides, idle backend connections shared between client sessions ({@code http-reuse safe},
     * HAProxy's default and recommendation: a session's first request gets its own connection). A failed connect
     * is retried, the last time on the other server ({@code retries}, {@code option redispatch}); nothing else is
     * ({@code retry-on} stays at {@code conn-failure}), so a request the server dropped after it was sent reaches
     * the client as an error instead of being replayed. {@code fall 1 rise 1}: one failed {@code /readyz} check
     * takes a server out, one passed check puts it back. {@code X-Served-By} names the server of each response.
     */
    static String config(int port, int statsPort, Duration checkInterval, List<Backend> backends) {
        StringBuilder servers = new StringBuilder();
        for (Backend b : backends) {
            servers.append("    server ").append(b.name()).append(" 127.0.0.1:").append(b.port())
                    .append(" port ").append(b.adminPort()).append('\n');
        }
        return """
                global
                    maxconn 4096
                    log stdout format raw local0 info

                defaults
                    mode http
                    log global
                    option httplog
                    option dontlog-normal
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    timeout http-keep-alive 10s
                    timeout check 1s
                    retries 3
                    option redispatch

                frontend web
                    bind 127.0.0.1:%d
                    default_backend prefork

                backend prefork
                    balance roundrobin
                    http-reuse safe
                    option httpchk GET /readyz
                    http-check expect status 200
                    http-response set-header X-Served-By %%[srv_name]
                    default-server check inter %dms fall 1 rise 1
                %s
                listen stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(port, checkInterval.toMillis(), servers, statsPort);
    }

    /** Waits until HAProxy serves its stats page and reports every named server UP. */
    HaproxyProcess awaitUp(String... servers) {
        for (String server : servers) {
            awaitStatus(server, "UP", Duration.ofSeconds(15));
        }
        return this;
    }

    void awaitStatus(String server, String status, Duration atMost) {
        await("HAProxy reports " + server + " " + status).atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertAlive();
                    return status.equals(serverStats(server).map(s -> s.get("status")).orElse(null));
                });
    }

    void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("haproxy exited with " + process.exitValue() + "; log:\n" + logText());
        }
    }

    /** One server's row of HAProxy's CSV statistics (field name to value); empty if HAProxy does not answer. */
    Optional<Map<String, String>> serverStats(String server) {
        return stats("prefork", server);
    }

    /** The row of proxy {@code pxname} and server {@code svname} ({@code FRONTEND}, {@code BACKEND}, or a server). */
    Optional<Map<String, String>> stats(String pxname, String svname) {
        String csv;
        try {
            RawHttp.Response r = RawHttp.get(statsPort, "/stats;csv", 2_000);
            csv = "chunked".equalsIgnoreCase(r.header("Transfer-Encoding")) ? dechunk(r.body()) : r.body();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        String[] lines = csv.split("\n");
        String[] names = lines[0].replaceFirst("^# ", "").split(",", -1);
        for (int i = 1; i < lines.length; i++) {
            String[] values = lines[i].split(",", -1);
            if (values.length >= 2 && values[0].equals(pxname) && values[1].equals(svname)) {
                Map<String, String> row = new HashMap<>();
                for (int f = 0; f < names.length && f < values.length; f++) {
                    row.put(names[f], values[f]);
                }
                return Optional.of(row);
            }
        }
        return Optional.empty();
    }

    /** The payload of a chunked body (HAProxy streams its statistics page in chunks). */
    static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    /** A numeric statistics field, 0 when empty. */
    long counter(String pxname, String svname, String field) {
        String v = stats(pxname, svname).orElseThrow(() -> new AssertionError("no HAProxy stats for " + pxname
                + "/" + svname + "; log:\n" + logText())).getOrDefault(field, "");
        return v.isEmpty() ? 0 : Long.parseLong(v);
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly); // none expected with -db; never leak one
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
