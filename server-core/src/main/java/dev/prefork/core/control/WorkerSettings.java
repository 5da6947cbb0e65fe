package dev.prefork.core.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the master tells a worker JVM on its command line: nothing secret (argv is visible in /proc), only
 * where to connect and how to serve. The secret travels on the worker's stdin.
 *
 * @param workerId              the master's id for this worker (stable in logs, not a pid)
 * @param controlSocket         path of the master's control socket
 * @param socketCount           how many listening sockets the master will pass
 * @param appClass              the application class to load
 * @param masterPid             the master's pid: the worker exits when its parent is no longer this pid
 * @param heartbeatMillis       heartbeat period
 * @param keepAliveMillis       idle keep-alive timeout
 * @param headerTimeoutMillis   time allowed to send a whole request head
 * @param limitRequestLine      longest request line
 * @param limitRequestFields    most header fields
 * @param limitRequestFieldSize longest header field
 * @param limitRequestBody      largest request body
 * @param maxRequests           requests after which the worker asks to be recycled; 0 = never
 * @param accessLog             log each request to logger {@code prefork.access}
 * @param threads               where blocking handlers run: {@code 0} (no pool), a thread count, or {@code virtual}
 * @param threadQueue           most requests waiting for a handler thread (virtual: most in flight)
 * @param requestTimeoutMillis  a request unanswered this long is answered 503 and its connection closed; 0 = off
 * @param certFile              PEM certificate chain, or "" for plain HTTP
 * @param keyFile               PEM private key, or "" when it is in the certificate file
 * @param caCerts               PEM CA certificates for client certificates, or ""
 * @param certReqs              client certificates: 0 none, 1 optional, 2 required
 * @param ciphers               cipher suites, comma-separated, or "" for the provider's defaults
 * @param tlsMinVersion         oldest TLS version, 1.2 or 1.3
 * @param http2                 serve HTTP/2 (h2 by ALPN, h2c)
 * @param http2MaxConcurrentStreams streams per HTTP/2 connection
 * @param http2InitialWindowSize    per-stream flow-control window announced to clients
 * @param segment               the worker's own segment file (its figures, read by the master), or "" for none
 * @param standbySocketGroups   0 for a worker that serves at once; k &gt; 0 for a standby, which receives k equal
 *                              groups of listening sockets ({@code socketCount} in all), accepts from none, and
 *                              serves one group when the master activates it
 */
public record WorkerSettings(
        int workerId,
        String controlSocket,
        int socketCount,
        String appClass,
        long masterPid,
        long heartbeatMillis,
        long keepAliveMillis,
        long headerTimeoutMillis,
        int limitRequestLine,
        int limitRequestFields,
        int limitRequestFieldSize,
        long limitRequestBody,
        long maxRequests,
        boolean accessLog,
        String threads,
        int threadQueue,
        long requestTimeoutMillis,
        String certFile,
        String keyFile,
        String caCerts,
        int certReqs,
        String ciphers,
        String tlsMinVersion,
        boolean http2,
        int http2MaxConcurrentStreams,
        int http2InitialWindowSize,
        String segment,
        int standbySocketGroups) {

    public WorkerSettings {
        if (standbySocketGroups < 0 || (standbySocketGroups > 0 && socketCount % standbySocketGroups != 0)) {
            throw new IllegalArgumentException("standby socket groups " + standbySocketGroups
                    + " do not divide the socket count " + socketCount);
        }
    }

    /** True for a standby: booted and initialised, serving only once activated. */
    public boolean standby() {
        return standbySocketGroups > 0;
    }

    /** True when the worker serves TLS. */
    public boolean tls() {
        return !certFile.isEmpty();
    }

    public List<String> toArgs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("worker-id", Integer.toString(workerId));
        m.put("control-socket", controlSocket);
        m.put("socket-count", Integer.toString(socketCount));
        m.put("app-class", appClass);
        m.put("master-pid", Long.toString(masterPid));
        m.put("heartbeat-ms", Long.toString(heartbeatMillis));
        m.put("keep-alive-ms", Long.toString(keepAliveMillis));
        m.put("header-timeout-ms", Long.toString(headerTimeoutMillis));
        m.put("limit-request-line", Integer.toString(limitRequestLine));
        m.put("limit-request-fields", Integer.toString(limitRequestFields));
        m.put("limit-request-field-size", Integer.toString(limitRequestFieldSize));
        m.put("limit-request-body", Long.toString(limitRequestBody));
        m.put("max-requests", Long.toString(maxRequests));
        m.put("access-log", Boolean.toString(accessLog));
        m.put("threads", threads);
        m.put("thread-queue", Integer.toString(threadQueue));
        m.put("request-timeout-ms", Long.toString(requestTimeoutMillis));
        m.put("certfile", certFile);
        m.put("keyfile", keyFile);
        m.put("ca-certs", caCerts);
        m.put("cert-reqs", Integer.toString(certReqs));
        m.put("ciphers", ciphers);
        m.put("tls-min-version", tlsMinVersion);
        m.put("http2", Boolean.toString(http2));
        m.put("http2-max-concurrent-streams", Integer.toString(http2MaxConcurrentStreams));
        m.put("http2-initial-window-size", Integer.toString(http2InitialWindowSize));
        m.put("segment", segment);
        m.put("standby-socket-groups", Integer.toString(standbySocketGroups));
        List<String> args = new ArrayList<>();
        m.forEach((k, v) -> args.add("--" + k + "=" + v));
        return args;
    }

    /** Parses what {@link #toArgs()} wrote. Throws IllegalArgumentException naming the bad argument. */
    public static WorkerSettings parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("worker argument '" + arg + "' is not --key=value; workers are started by the master, not by hand");
            }
            m.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        try {
            return new WorkerSettings(
                    Integer.parseInt(req(m, "worker-id")),
                    req(m, "control-socket"),
                    Integer.parseInt(req(m, "socket-count")),
                    req(m, "app-class"),
                    Long.parseLong(req(m, "master-pid")),
                    Long.parseLong(req(m, "heartbeat-ms")),
                    Long.parseLong(req(m, "keep-alive-ms")),
                    Long.parseLong(req(m, "header-timeout-ms")),
                    Integer.parseInt(req(m, "limit-request-line")),
                    Integer.parseInt(req(m, "limit-request-fields")),
                    Integer.parseInt(req(m, "limit-request-field-size")),
                    Long.parseLong(req(m, "limit-request-body")),
                    Long.parseLong(req(m, "max-requests")),
                    Boolean.parseBoolean(req(m, "access-log")),
                    req(m, "threads"),
                    Integer.parseInt(req(m, "thread-queue")),
                    Long.parseLong(req(m, "request-timeout-ms")),
                    req(m, "certfile"),
                    req(m, "keyfile"),
                    req(m, "ca-certs"),
                    Integer.parseInt(req(m, "cert-reqs")),
                    req(m, "ciphers"),
                    req(m, "tls-min-version"),
                    Boolean.parseBoolean(req(m, "http2")),
                    Integer.parseInt(req(m, "http2-max-concurrent-streams")),
                    Integer.parseInt(req(m, "http2-initial-window-size")),
                    req(m, "segment"),
                    Integer.parseInt(req(m, "standby-socket-groups")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("worker argument is not a number: " + e.getMessage(), e);
        }
    }

    private static String req(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("worker argument --" + key + " is missing; workers are started by the master");
        }
        return v;
    }
}
