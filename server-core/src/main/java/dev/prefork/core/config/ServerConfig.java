package dev.prefork.core.config;

import dev.prefork.core.tls.ClientCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server's configuration: validated once by {@link Builder#build()}, then sealed (immutable).
 * Build it from the command line, the environment and a file with {@link ConfigResolver}, or in code with
 * {@link #builder()}.
 */
public record ServerConfig(
        List<BindAddress> binds,
        int bindUnixMode,
        String bindUnixOwner,
        int workers,
        BindAddress admin,
        Duration timeout,
        Duration gracefulTimeout,
        Duration bootTimeout,
        Duration drainDelay,
        long maxRequests,
        long maxRequestsJitter,
        MemoryLimit maxWorkerHeap,
        long maxWorkerRss,
        List<String> workerJvmOpts,
        Path pidfile,
        String logLevel,
        boolean accessLog,
        boolean reusePort,
        int backlog,
        Duration keepAlive,
        Duration headerTimeout,
        int limitRequestLine,
        int limitRequestFields,
        int limitRequestFieldSize,
        long limitRequestBody,
        HandlerThreads threads,
        int threadQueue,
        Duration requestTimeout,
        Path controlDir,
        Path configFile,
        String appClass,
        Map<String, String> workerSystemProperties,
        boolean workerCds,
        Path certFile,
        Path keyFile,
        Path caCerts,
        ClientCertificates certReqs,
        List<String> ciphers,
        String tlsMinVersion,
        boolean http2,
        int http2MaxConcurrentStreams,
        int http2InitialWindowSize,
        List<String> workerCommand,
        int workerFd,
        int standby) {

    /**
     * Lean worker JVM defaults: serial GC and a small heap suit a process that is one of many; exit on
     * OutOfMemoryError so that the master replaces the worker instead of it limping on.
     */
    public static final String DEFAULT_WORKER_JVM_OPTS =
            "-XX:+UseSerialGC -Xms32m -Xmx256m -Xss512k -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData";

    public static final int MAX_WORKERS = 1024;

    public static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error");

    public ServerConfig {
        binds = List.copyOf(binds);
        workerJvmOpts = List.copyOf(workerJvmOpts);
        workerSystemProperties = Map.copyOf(workerSystemProperties);
        ciphers = List.copyOf(ciphers);
        workerCommand = List.copyOf(workerCommand);
    }

    /** Fds below this are stdin, stdout and stderr; fd 0 carries the socket anyway. */
    public static final int MIN_WORKER_FD = 3;
    /** Stays below the usual soft limit of open files (1024), so the fd exists in every worker. */
    public static final int MAX_WORKER_FD = 1023;
    /** {@link #workerFd()} when the socket is only at fd 0. */
    public static final int NO_WORKER_FD = 0;

    /** Exec workers: the workers run {@link #workerCommand()} with the Prefork agent instead of APP_CLASS. */
    public boolean isExec() {
        return !workerCommand.isEmpty();
    }

    /** The TLS versions accepted by {@code --tls-min-version}. */
    public static final List<String> TLS_VERSIONS = List.of("1.2", "1.3");

    /** True when the listeners serve TLS ({@code --certfile} given). */
    public boolean tls() {
        return certFile != null;
    }

    /** The default worker count: the number of CPUs, as Puma does (Gunicorn users size it the same way). */
    public static int defaultWorkers() {
        return Math.max(1, Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors()));
    }

    public static List<String> splitJvmOpts(String opts) {
        String trimmed = opts == null ? "" : opts.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }

    /** {@code --ciphers}: names separated by commas, colons or blanks; none (empty) means the provider's defaults. */
    static List<String> splitCiphers(String list) {
        List<String> names = new ArrayList<>();
        for (String name : (list == null ? "" : list).split("[,:\\s]+")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return List.copyOf(names);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder seeded with this configuration, e.g. to change the worker count on TTIN. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (ConfigOption option : ConfigOption.values()) {
            b.values.put(option, option.setting().read(this));
        }
        b.bindsGiven = true;
        b.appClass = appClass;
        b.workerSystemProperties = new LinkedHashMap<>(workerSystemProperties);
        return b;
    }

    /**
     * Collects values, starting from each option's default ({@link ConfigOption}); {@link #build()} runs every
     * option's checks and names the first bad value.
     */
    public static final class Builder {
        private final Map<ConfigOption, Object> values = new EnumMap<>(ConfigOption.class);
        /** Whether {@link #bind} adds to the addresses held, or replaces the default. */
        private boolean bindsGiven;
        private String appClass;
        private Map<String, String> workerSystemProperties = new LinkedHashMap<>();

        private Builder() {
            for (ConfigOption option : ConfigOption.values()) {
                values.put(option, option.setting().defaultValue());
            }
        }

        /** Sets an option to a value of its setting's type (the resolver's way in). */
        void set(ConfigOption option, Object value) {
            values.put(option, value);
            if (option == ConfigOption.BIND) {
                bindsGiven = true;
            }
        }

        @SuppressWarnings("unchecked")
        private <T> T get(ConfigOption option) {
            return (T) values.get(option);
        }

        /** Replaces the listen addresses; none means the default. */
        public Builder binds(List<BindAddress> addresses) {
            if (addresses.isEmpty()) {
                values.put(ConfigOption.BIND, ConfigOption.BIND.setting().defaultValue());
                bindsGiven = false;
                return this;
            }
            set(ConfigOption.BIND, List.copyOf(addresses));
            return this;
        }

        /** Adds a listen address, {@code HOST:PORT}. */
        public Builder bind(String hostPort) {
            List<BindAddress> binds = bindsGiven ? new ArrayList<>(this.<List<BindAddress>>get(ConfigOption.BIND))
                    : new ArrayList<>();
            binds.add(BindAddress.parse(ConfigOption.BIND.flag(), hostPort));
            set(ConfigOption.BIND, List.copyOf(binds));
            return this;
        }

        /** Permission bits of Unix socket files, e.g. {@code 0660}. */
        public Builder bindUnixMode(int mode) {
            set(ConfigOption.BIND_UNIX_MODE, mode);
            return this;
        }

        /** {@code user}, {@code user:group} or {@code :group} for Unix socket files; null keeps the master's. */
        public Builder bindUnixOwner(String owner) {
            set(ConfigOption.BIND_UNIX_OWNER, owner == null || owner.isBlank() ? null : owner.trim());
            return this;
        }

        public Builder workers(int n) {
            set(ConfigOption.WORKERS, n);
            return this;
        }

        /** The admin HTTP address, or null to turn it off. */
        public Builder admin(BindAddress address) {
            set(ConfigOption.ADMIN, address);
            return this;
        }

        /** {@code HOST:PORT} or {@code off}. */
        public Builder admin(String hostPortOrOff) {
            set(ConfigOption.ADMIN, ConfigOption.ADMIN.setting().parse(ConfigOption.ADMIN.flag(), List.of(hostPortOrOff)));
            return this;
        }

        public Builder timeout(Duration d) {
            set(ConfigOption.TIMEOUT, d);
            return this;
        }

        public Builder gracefulTimeout(Duration d) {
            set(ConfigOption.GRACEFUL_TIMEOUT, d);
            return this;
        }

        public Builder bootTimeout(Duration d) {
            set(ConfigOption.BOOT_TIMEOUT, d);
            return this;
        }

        public Builder drainDelay(Duration d) {
            set(ConfigOption.DRAIN_DELAY, d);
            return this;
        }

        /** {@code --standby}: workers kept booted but not accepting, to replace a serving worker at once. */
        public Builder standby(int n) {
            set(ConfigOption.STANDBY, n);
            return this;
        }

        public Builder maxRequests(long n) {
            set(ConfigOption.MAX_REQUESTS, n);
            return this;
        }

        public Builder maxWorkerHeap(MemoryLimit limit) {
            set(ConfigOption.MAX_WORKER_HEAP, limit);
            return this;
        }

        public Builder maxWorkerRss(long bytes) {
            set(ConfigOption.MAX_WORKER_RSS, bytes);
            return this;
        }

        public Builder maxRequestsJitter(long n) {
            set(ConfigOption.MAX_REQUESTS_JITTER, n);
            return this;
        }

        public Builder workerJvmOpts(List<String> opts) {
            set(ConfigOption.WORKER_JVM_OPTS, List.copyOf(opts));
            return this;
        }

        public Builder workerJvmOpts(String opts) {
            return workerJvmOpts(splitJvmOpts(opts));
        }

        public Builder pidfile(Path path) {
            set(ConfigOption.PIDFILE, path);
            return this;
        }

        public Builder logLevel(String level) {
            set(ConfigOption.LOG_LEVEL, level);
            return this;
        }

        public Builder accessLog(boolean on) {
            set(ConfigOption.ACCESS_LOG, on);
            return this;
        }

        public Builder reusePort(boolean on) {
            set(ConfigOption.REUSE_PORT, on);
            return this;
        }

        public Builder backlog(int n) {
            set(ConfigOption.BACKLOG, n);
            return this;
        }

        public Builder keepAlive(Duration d) {
            set(ConfigOption.KEEP_ALIVE, d);
            return this;
        }

        public Builder headerTimeout(Duration d) {
            set(ConfigOption.HEADER_TIMEOUT, d);
            return this;
        }

        public Builder limitRequestLine(int n) {
            set(ConfigOption.LIMIT_REQUEST_LINE, n);
            return this;
        }

        public Builder limitRequestFields(int n) {
            set(ConfigOption.LIMIT_REQUEST_FIELDS, n);
            return this;
        }

        public Builder limitRequestFieldSize(int n) {
            set(ConfigOption.LIMIT_REQUEST_FIELD_SIZE, n);
            return this;
        }

        public Builder limitRequestBody(long n) {
            set(ConfigOption.LIMIT_REQUEST_BODY, n);
            return this;
        }

        /** Where blocking handlers run: {@link HandlerThreads#NONE} (the default), N platform threads, or virtual. */
        public Builder threads(HandlerThreads t) {
            set(ConfigOption.THREADS, t);
            return this;
        }

        public Builder threadQueue(int n) {
            set(ConfigOption.THREAD_QUEUE, n);
            return this;
        }

        /** Zero turns the request timeout off. */
        public Builder requestTimeout(Duration d) {
            set(ConfigOption.REQUEST_TIMEOUT, d);
            return this;
        }

        /** Parent of the private control directory; default: the system temp directory. */
        public Builder controlDir(Path dir) {
            set(ConfigOption.CONTROL_DIR, dir);
            return this;
        }

        public Builder configFile(Path file) {
            set(ConfigOption.CONFIG, file);
            return this;
        }

        /** The application class the workers load (see {@code dev.prefork.worker.Application}). */
        public Builder appClass(String className) {
            this.appClass = className;
            return this;
        }

        /** A {@code -Dkey=value} for every worker JVM, e.g. an application's own switch. */
        public Builder workerSystemProperty(String key, String value) {
            this.workerSystemProperties.put(key, value);
            return this;
        }

        /**
         * {@code --worker-cds auto} (true): the master keeps an AppCDS archive of the worker class path and
         * starts workers with it; {@code off} (false): workers start without it.
         */
        public Builder workerCds(boolean on) {
            set(ConfigOption.WORKER_CDS, on);
            return this;
        }

        /**
         * Exec workers: each worker runs this command (words, as {@link ProcessBuilder} takes them) with the
         * Prefork agent; empty: native workers running {@link #appClass}.
         */
        public Builder workerCommand(List<String> words) {
            set(ConfigOption.WORKER_COMMAND, List.copyOf(words));
            return this;
        }

        /** Exec workers: also place the first listening socket at this fd; {@link #NO_WORKER_FD}: only at fd 0. */
        public Builder workerFd(int fd) {
            set(ConfigOption.WORKER_FD, fd);
            return this;
        }

        /** {@code --certfile}: the PEM certificate chain; null serves plain HTTP. */
        public Builder certFile(Path file) {
            set(ConfigOption.CERTFILE, file);
            return this;
        }

        /** {@code --keyfile}: the PEM private key; null when it is in the certificate file. */
        public Builder keyFile(Path file) {
            set(ConfigOption.KEYFILE, file);
            return this;
        }

        /** {@code --ca-certs}: CA certificates for client certificates, or null. */
        public Builder caCerts(Path file) {
            set(ConfigOption.CA_CERTS, file);
            return this;
        }

        public Builder certReqs(ClientCertificates mode) {
            set(ConfigOption.CERT_REQS, mode);
            return this;
        }

        /** {@code --ciphers}: IANA cipher suite names separated by commas or colons; empty for the defaults. */
        public Builder ciphers(String list) {
            set(ConfigOption.CIPHERS, splitCiphers(list));
            return this;
        }

        public Builder tlsMinVersion(String version) {
            set(ConfigOption.TLS_MIN_VERSION, version);
            return this;
        }

        public Builder http2(boolean on) {
            set(ConfigOption.HTTP2, on);
            return this;
        }

        public Builder http2MaxConcurrentStreams(int n) {
            set(ConfigOption.HTTP2_MAX_CONCURRENT_STREAMS, n);
            return this;
        }

        public Builder http2InitialWindowSize(int bytes) {
            set(ConfigOption.HTTP2_INITIAL_WINDOW_SIZE, bytes);
            return this;
        }

        /** Runs every option's checks, in the table's order, then the checks across options (TLS), and seals the configuration. */
        public ServerConfig build() {
            for (ConfigOption option : ConfigOption.values()) {
                option.setting().checkHeld(option.flag(), values.get(option));
            }
            List<String> workerCommand = get(ConfigOption.WORKER_COMMAND);
            int workerFd = get(ConfigOption.WORKER_FD);
            boolean hasAppClass = appClass != null && !appClass.isBlank();
            if (!workerCommand.isEmpty() && hasAppClass) {
                throw new ConfigException("APP_CLASS", appClass, "and a worker command (--worker-command or -- CMD) "
                        + "exclude each other; give APP_CLASS for Prefork applications or a command for exec workers");
            }
            if (!hasAppClass && workerCommand.isEmpty()) {
                throw new ConfigException("APP_CLASS", appClass,
                        "is missing; name the application class, e.g. dev.prefork.examples.ExampleApp, or give a "
                                + "worker command (-- java -jar my-service.jar)");
            }
            Path certFile = get(ConfigOption.CERTFILE);
            if (!workerCommand.isEmpty() && certFile != null) {
                throw new ConfigException(ConfigOption.CERTFILE.flag(), certFile.toString(), "applies only to Prefork "
                        + "applications; an exec worker's own server serves TLS: configure it there and drop "
                        + ConfigOption.CERTFILE.flag());
            }
            if (workerFd != NO_WORKER_FD && workerCommand.isEmpty()) {
                throw new ConfigException(ConfigOption.WORKER_FD.flag(), Integer.toString(workerFd),
                        "applies only to exec workers; give a worker command too or drop " + ConfigOption.WORKER_FD.flag());
            }
            int standby = get(ConfigOption.STANDBY);
            if (standby > 0 && !workerCommand.isEmpty()) {
                // An exec worker's agent speaks neither StandingBy nor Activate: it would serve at once, not wait.
                throw new ConfigException(ConfigOption.STANDBY.flag(), Integer.toString(standby),
                        "applies only to Prefork applications, not to exec workers (--worker-command or -- CMD); "
                                + "drop " + ConfigOption.STANDBY.flag() + " or run the application as APP_CLASS");
            }
            Objects.requireNonNull(workerSystemProperties);
            TlsValidation.check(get(ConfigOption.CERTFILE), get(ConfigOption.KEYFILE), get(ConfigOption.CA_CERTS),
                    get(ConfigOption.CERT_REQS), get(ConfigOption.CIPHERS));
            return new ServerConfig(get(ConfigOption.BIND), get(ConfigOption.BIND_UNIX_MODE),
                    get(ConfigOption.BIND_UNIX_OWNER), get(ConfigOption.WORKERS), get(ConfigOption.ADMIN),
                    get(ConfigOption.TIMEOUT), get(ConfigOption.GRACEFUL_TIMEOUT), get(ConfigOption.BOOT_TIMEOUT),
                    get(ConfigOption.DRAIN_DELAY), get(ConfigOption.MAX_REQUESTS), get(ConfigOption.MAX_REQUESTS_JITTER),
                    get(ConfigOption.MAX_WORKER_HEAP), get(ConfigOption.MAX_WORKER_RSS), get(ConfigOption.WORKER_JVM_OPTS), get(ConfigOption.PIDFILE), get(ConfigOption.LOG_LEVEL),
                    get(ConfigOption.ACCESS_LOG), get(ConfigOption.REUSE_PORT), get(ConfigOption.BACKLOG),
                    get(ConfigOption.KEEP_ALIVE), get(ConfigOption.HEADER_TIMEOUT), get(ConfigOption.LIMIT_REQUEST_LINE),
                    get(ConfigOption.LIMIT_REQUEST_FIELDS), get(ConfigOption.LIMIT_REQUEST_FIELD_SIZE),
                    get(ConfigOption.LIMIT_REQUEST_BODY), get(ConfigOption.THREADS), get(ConfigOption.THREAD_QUEUE),
                    get(ConfigOption.REQUEST_TIMEOUT), get(ConfigOption.CONTROL_DIR), get(ConfigOption.CONFIG),
                    hasAppClass ? appClass.trim() : null, workerSystemProperties, get(ConfigOption.WORKER_CDS), get(ConfigOption.CERTFILE),
                    get(ConfigOption.KEYFILE), get(ConfigOption.CA_CERTS), get(ConfigOption.CERT_REQS),
                    get(ConfigOption.CIPHERS), get(ConfigOption.TLS_MIN_VERSION), get(ConfigOption.HTTP2),
                    get(ConfigOption.HTTP2_MAX_CONCURRENT_STREAMS), get(ConfigOption.HTTP2_INITIAL_WINDOW_SIZE),
                    workerCommand, workerFd, standby);
        }
    }
}
