package dev.prefork.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
        boolean workerCds) {

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
    }

    /** The default worker count: the number of CPUs, as Puma does (Gunicorn users size it the same way). */
    public static int defaultWorkers() {
        return Math.max(1, Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors()));
    }

    public static List<String> splitJvmOpts(String opts) {
        String trimmed = opts == null ? "" : opts.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder seeded with this configuration, e.g. to change the worker count on TTIN. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.binds = new ArrayList<>(binds);
        b.bindUnixMode = bindUnixMode;
        b.bindUnixOwner = bindUnixOwner;
        b.workers = workers;
        b.admin = admin;
        b.timeout = timeout;
        b.gracefulTimeout = gracefulTimeout;
        b.bootTimeout = bootTimeout;
        b.drainDelay = drainDelay;
        b.maxRequests = maxRequests;
        b.maxRequestsJitter = maxRequestsJitter;
        b.workerJvmOpts = new ArrayList<>(workerJvmOpts);
        b.pidfile = pidfile;
        b.logLevel = logLevel;
        b.accessLog = accessLog;
        b.reusePort = reusePort;
        b.backlog = backlog;
        b.keepAlive = keepAlive;
        b.headerTimeout = headerTimeout;
        b.limitRequestLine = limitRequestLine;
        b.limitRequestFields = limitRequestFields;
        b.limitRequestFieldSize = limitRequestFieldSize;
        b.limitRequestBody = limitRequestBody;
        b.threads = threads;
        b.threadQueue = threadQueue;
        b.requestTimeout = requestTimeout;
        b.controlDir = controlDir;
        b.configFile = configFile;
        b.appClass = appClass;
        b.workerSystemProperties = new LinkedHashMap<>(workerSystemProperties);
        b.workerCds = workerCds;
        return b;
    }

    /** Collects values; {@link #build()} validates all of them and names the first bad one. */
    public static final class Builder {
        private List<BindAddress> binds = new ArrayList<>();
        private int bindUnixMode = 0660;
        private String bindUnixOwner;
        private int workers = defaultWorkers();
        private BindAddress admin = BindAddress.parse("--admin", ConfigOption.ADMIN.defaultValue());
        private Duration timeout = Duration.ofSeconds(30);
        private Duration gracefulTimeout = Duration.ofSeconds(30);
        private Duration bootTimeout = Duration.ofSeconds(60);
        private Duration drainDelay = Duration.ZERO;
        private long maxRequests;
        private long maxRequestsJitter;
        private List<String> workerJvmOpts = new ArrayList<>(splitJvmOpts(DEFAULT_WORKER_JVM_OPTS));
        private Path pidfile;
        private String logLevel = "info";
        private boolean accessLog;
        private boolean reusePort;
        private int backlog = 2048;
        private Duration keepAlive = Duration.ofSeconds(5);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int limitRequestLine = 4094;
        private int limitRequestFields = 100;
        private int limitRequestFieldSize = 8190;
        private long limitRequestBody = 10L * 1024 * 1024;
        private HandlerThreads threads = HandlerThreads.NONE;
        private int threadQueue = 128;
        private Duration requestTimeout = Duration.ZERO;
        private Path controlDir;
        private Path configFile;
        private String appClass;
        private Map<String, String> workerSystemProperties = new LinkedHashMap<>();
        private boolean workerCds = true;

        private Builder() {
        }

        /** Replaces the listen addresses. */
        public Builder binds(List<BindAddress> addresses) {
            this.binds = new ArrayList<>(addresses);
            return this;
        }

        /** Adds a listen address, {@code HOST:PORT}. */
        public Builder bind(String hostPort) {
            this.binds.add(BindAddress.parse("--bind", hostPort));
            return this;
        }

        /** Permission bits of Unix socket files, e.g. {@code 0660}. */
        public Builder bindUnixMode(int mode) {
            this.bindUnixMode = mode;
            return this;
        }

        /** {@code user}, {@code user:group} or {@code :group} for Unix socket files; null keeps the master's. */
        public Builder bindUnixOwner(String owner) {
            this.bindUnixOwner = owner == null || owner.isBlank() ? null : owner.trim();
            return this;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** The admin HTTP address, or null to turn it off. */
        public Builder admin(BindAddress address) {
            this.admin = address;
            return this;
        }

        public Builder admin(String hostPortOrOff) {
            return admin("off".equalsIgnoreCase(hostPortOrOff) ? null : BindAddress.parse("--admin", hostPortOrOff));
        }

        public Builder timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        public Builder gracefulTimeout(Duration d) {
            this.gracefulTimeout = d;
            return this;
        }

        public Builder bootTimeout(Duration d) {
            this.bootTimeout = d;
            return this;
        }

        public Builder drainDelay(Duration d) {
            this.drainDelay = d;
            return this;
        }

        public Builder maxRequests(long n) {
            this.maxRequests = n;
            return this;
        }

        public Builder maxRequestsJitter(long n) {
            this.maxRequestsJitter = n;
            return this;
        }

        public Builder workerJvmOpts(List<String> opts) {
            this.workerJvmOpts = new ArrayList<>(opts);
            return this;
        }

        public Builder workerJvmOpts(String opts) {
            return workerJvmOpts(splitJvmOpts(opts));
        }

        public Builder pidfile(Path path) {
            this.pidfile = path;
            return this;
        }

        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        public Builder backlog(int n) {
            this.backlog = n;
            return this;
        }

        public Builder keepAlive(Duration d) {
            this.keepAlive = d;
            return this;
        }

        public Builder headerTimeout(Duration d) {
            this.headerTimeout = d;
            return this;
        }

        public Builder limitRequestLine(int n) {
            this.limitRequestLine = n;
            return this;
        }

        public Builder limitRequestFields(int n) {
            this.limitRequestFields = n;
            return this;
        }

        public Builder limitRequestFieldSize(int n) {
            this.limitRequestFieldSize = n;
            return this;
        }

        public Builder limitRequestBody(long n) {
            this.limitRequestBody = n;
            return this;
        }

        /** Where blocking handlers run: {@link HandlerThreads#NONE} (the default), N platform threads, or virtual. */
        public Builder threads(HandlerThreads t) {
            this.threads = t;
            return this;
        }

        public Builder threadQueue(int n) {
            this.threadQueue = n;
            return this;
        }

        /** Zero turns the request timeout off. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /** Parent of the private control directory; default: the system temp directory. */
        public Builder controlDir(Path dir) {
            this.controlDir = dir;
            return this;
        }

        public Builder configFile(Path file) {
            this.configFile = file;
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
            this.workerCds = on;
            return this;
        }

        /** Validates every value and seals the configuration. */
        public ServerConfig build() {
            List<BindAddress> effectiveBinds = binds.isEmpty()
                    ? List.of(BindAddress.parse("--bind", ConfigOption.BIND.defaultValue()))
                    : binds;
            range("--bind-unix-mode", bindUnixMode, 0, 0777, "give octal permission bits, e.g. 0660");
            if (bindUnixOwner != null && (bindUnixOwner.equals(":") || bindUnixOwner.indexOf(':') != bindUnixOwner.lastIndexOf(':'))) {
                throw new ConfigException("--bind-unix-owner", bindUnixOwner, "is not USER, USER:GROUP or :GROUP");
            }
            if (admin != null && admin.isUnix()) {
                throw new ConfigException("--admin", admin.toString(), "must be HOST:PORT; the admin HTTP has no Unix socket");
            }
            range("--workers", workers, 1, MAX_WORKERS, "give a worker count from 1 to " + MAX_WORKERS);
            nonNegative("--timeout", timeout);
            nonNegative("--graceful-timeout", gracefulTimeout);
            nonNegative("--drain-delay", drainDelay);
            if (bootTimeout == null || bootTimeout.isZero() || bootTimeout.isNegative()) {
                throw new ConfigException("--boot-timeout", String.valueOf(bootTimeout), "must be at least 1 second");
            }
            range("--max-requests", maxRequests, 0, Long.MAX_VALUE, "give 0 (off) or a positive request count");
            range("--max-requests-jitter", maxRequestsJitter, 0, Long.MAX_VALUE, "give 0 (off) or a positive count");
            if (!LOG_LEVELS.contains(logLevel)) {
                throw new ConfigException("--log-level", logLevel, "is not a level; give one of " + String.join(", ", LOG_LEVELS));
            }
            range("--backlog", backlog, 1, 65535, "give a backlog from 1 to 65535");
            positive("--keep-alive", keepAlive);
            positive("--header-timeout", headerTimeout);
            range("--limit-request-line", limitRequestLine, 64, 65536, "give 64..65536 bytes");
            range("--limit-request-fields", limitRequestFields, 1, 32768, "give 1..32768 fields");
            range("--limit-request-field-size", limitRequestFieldSize, 64, 65536, "give 64..65536 bytes");
            range("--limit-request-body", limitRequestBody, 0, Long.MAX_VALUE, "give a size in bytes, 0 or more");
            Objects.requireNonNull(threads, "threads");
            if (threads.virtual() && Runtime.version().feature() < HandlerThreads.VIRTUAL_MIN_JAVA) {
                throw new ConfigException("--threads", "virtual", "needs Java " + HandlerThreads.VIRTUAL_MIN_JAVA
                        + " or newer (virtual threads), but this is Java " + Runtime.version()
                        + "; run Prefork with Java 21+ or give a thread count, e.g. --threads 32");
            }
            range("--thread-queue", threadQueue, 1, 1_000_000, "give 1..1000000 requests");
            nonNegative("--request-timeout", requestTimeout);
            for (String opt : workerJvmOpts) {
                if (!opt.startsWith("-")) {
                    throw new ConfigException("--worker-jvm-opts", opt,
                            "is not a JVM option (they start with '-'); quote the whole list, e.g. --worker-jvm-opts \"-Xmx128m -XX:+UseSerialGC\"");
                }
            }
            if (appClass == null || appClass.isBlank()) {
                throw new ConfigException("APP_CLASS", appClass,
                        "is missing; name the application class, e.g. dev.prefork.examples.ExampleApp");
            }
            Objects.requireNonNull(workerSystemProperties);
            return new ServerConfig(effectiveBinds, bindUnixMode, bindUnixOwner, workers, admin, timeout, gracefulTimeout, bootTimeout, drainDelay,
                    maxRequests, maxRequestsJitter, workerJvmOpts, pidfile, logLevel, accessLog, reusePort, backlog,
                    keepAlive, headerTimeout, limitRequestLine, limitRequestFields, limitRequestFieldSize,
                    limitRequestBody, threads, threadQueue, requestTimeout, controlDir, configFile, appClass.trim(), workerSystemProperties, workerCds);
        }

        private static void range(String option, long value, long min, long max, String remedy) {
            if (value < min || value > max) {
                throw new ConfigException(option, Long.toString(value), "is out of range; " + remedy);
            }
        }

        private static void nonNegative(String option, Duration d) {
            if (d == null || d.isNegative()) {
                throw new ConfigException(option, String.valueOf(d), "must be 0 or more seconds");
            }
        }

        private static void positive(String option, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new ConfigException(option, String.valueOf(d), "must be at least 1 second");
            }
        }
    }
}
