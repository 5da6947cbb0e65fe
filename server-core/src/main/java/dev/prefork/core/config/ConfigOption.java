package dev.prefork.core.config;

import java.util.Locale;

/**
 * Every server option, with its Gunicorn-style flag, its {@code PREFORK_*} environment variable and its key in a
 * {@code --config} properties file. The CLI, the environment and the file are all read through this one table.
 */
public enum ConfigOption {
    BIND("bind", "HOST:PORT", "listen address; repeatable; [::]:8080 for IPv6 (env and file: comma-separated)", "127.0.0.1:8000", Kind.LIST),
    WORKERS("workers", "N", "worker JVMs, 1..1024", null, Kind.VALUE),
    ADMIN("admin", "HOST:PORT", "the master's admin HTTP (metrics, health); 'off' disables", "127.0.0.1:9000", Kind.VALUE),
    TIMEOUT("timeout", "SECONDS", "a worker silent this long is killed and replaced; 0 = off", "30", Kind.VALUE),
    GRACEFUL_TIMEOUT("graceful-timeout", "SECONDS", "how long draining workers get before SIGKILL", "30", Kind.VALUE),
    BOOT_TIMEOUT("boot-timeout", "SECONDS", "a worker not ready this long after spawn fails the boot (exit 3)", "60", Kind.VALUE),
    DRAIN_DELAY("drain-delay", "SECONDS", "on TERM, keep serving this long after readiness goes 503 (for load balancers)", "0", Kind.VALUE),
    MAX_REQUESTS("max-requests", "N", "recycle a worker after N requests; 0 = off", "0", Kind.VALUE),
    MAX_REQUESTS_JITTER("max-requests-jitter", "N", "add a random 0..N to max-requests per worker", "0", Kind.VALUE),
    WORKER_JVM_OPTS("worker-jvm-opts", "\"OPTS\"", "JVM options for each worker (replace the lean defaults)", ServerConfig.DEFAULT_WORKER_JVM_OPTS, Kind.VALUE),
    WORKER_CDS("worker-cds", "auto|off", "auto: workers start from an AppCDS archive of their class path, made once and cached; off: without", "auto", Kind.VALUE),
    WORKER_COMMAND("worker-command", "\"CMD ARGS\"", "exec workers: run this command as each worker (e.g. \"java -Xmx512m -jar my-service.jar\"), split into words like a POSIX shell without running one; the Prefork agent hands it the listening socket at fd 0. Instead of APP_CLASS; also: -- CMD ARGS... at the end", null, Kind.VALUE),
    WORKER_FD("worker-fd", "N", "exec workers: also place the first listening socket at fd N (3..1023), for servers that take a numbered fd (Micronaut)", null, Kind.VALUE),
    PIDFILE("pidfile", "PATH", "write the master pid to this file", null, Kind.VALUE),
    LOG_LEVEL("log-level", "LEVEL", "trace, debug, info, warn or error", "info", Kind.VALUE),
    ACCESS_LOG("access-log", null, "per-request log lines in workers (--no-access-log turns them off)", "false", Kind.SWITCH),
    REUSE_PORT("reuse-port", null, "one SO_REUSEPORT listening socket per worker slot (even accept balancing)", "false", Kind.SWITCH),
    BACKLOG("backlog", "N", "listen backlog of each listening socket", "2048", Kind.VALUE),
    KEEP_ALIVE("keep-alive", "SECONDS", "close a keep-alive connection idle this long", "5", Kind.VALUE),
    HEADER_TIMEOUT("header-timeout", "SECONDS", "close a connection that has not sent a whole request head in this time", "10", Kind.VALUE),
    LIMIT_REQUEST_LINE("limit-request-line", "BYTES", "longest request line (414 beyond)", "4094", Kind.VALUE),
    LIMIT_REQUEST_FIELDS("limit-request-fields", "N", "most header fields in a request (431 beyond)", "100", Kind.VALUE),
    LIMIT_REQUEST_FIELD_SIZE("limit-request-field-size", "BYTES", "longest header field (431 beyond)", "8190", Kind.VALUE),
    LIMIT_REQUEST_BODY("limit-request-body", "BYTES", "largest request body (413 beyond)", "10485760", Kind.VALUE),
    CONTROL_DIR("control-dir", "PATH", "parent directory of the master's private control directory", null, Kind.VALUE),
    CONFIG("config", "FILE", "properties file with any of these options (keys without the leading --)", null, Kind.VALUE);

    /** How an option takes its value on the command line. */
    public enum Kind {
        /** {@code --name VALUE}. */
        VALUE,
        /** {@code --name VALUE}, repeatable; comma-separated in the environment and the file. */
        LIST,
        /** {@code --name} or {@code --no-name}. */
        SWITCH
    }

    private final String key;
    private final String paramLabel;
    private final String description;
    private final String defaultValue;
    private final Kind kind;

    ConfigOption(String key, String paramLabel, String description, String defaultValue, Kind kind) {
        this.key = key;
        this.paramLabel = paramLabel;
        this.description = description;
        this.defaultValue = defaultValue;
        this.kind = kind;
    }

    /** Key in a properties file, e.g. {@code graceful-timeout}. */
    public String key() {
        return key;
    }

    /** Command-line flag, e.g. {@code --graceful-timeout}. */
    public String flag() {
        return "--" + key;
    }

    /** Environment variable, e.g. {@code PREFORK_GRACEFUL_TIMEOUT}. */
    public String envVar() {
        return "PREFORK_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    public String paramLabel() {
        return paramLabel;
    }

    public String description() {
        return description;
    }

    /** The default as text, or null where the default is computed (workers) or absent (pidfile). */
    public String defaultValue() {
        return defaultValue;
    }

    public Kind kind() {
        return kind;
    }

    public static ConfigOption byKey(String key) {
        for (ConfigOption option : values()) {
            if (option.key.equals(key)) {
                return option;
            }
        }
        return null;
    }
}
