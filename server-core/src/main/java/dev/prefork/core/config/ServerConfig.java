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
        Path controlDir,
        Path configFile,
        String appClass,
        Map<String, String> workerSystemProperties,
        boolean workerCds,
        List<String> workerCommand,
        int workerFd) {

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
        workerCommand = List.copyOf(workerCommand);
    }

    /** Fds below this are stdin, stdout and stderr; fd 0 carries the socket anyway. */
    public static final int MIN_WORKER_FD = 3;
    /** Stays below the usual soft limit of open files (1024), so the fd exists in every worker. */
    public static final int MAX_WORKER_FD = 1023;

    /** Exec workers: the workers run {@link #workerCommand()} with the Prefork agent instead of APP_CLASS. */
    public boolean isExec() {
        return !workerCommand.isEmpty();
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
        b.controlDir = controlDir;
        b.configFile = configFile;
        b.appClass = appClass;
        b.workerSystemProperties = new LinkedHashMap<>(workerSystemProperties);
        b.workerCds = workerCds;
        b.workerCommand = workerCommand;
        b.workerFd = workerFd;
        return b;
    }

    /** Collects values; {@link #build()} validates all of them and names the first bad one. */
    public static final class Builder {
        private List<BindAddress> binds = new ArrayList<>();
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
        private Path controlDir;
        private Path configFile;
        private String appClass;
        private Map<String, String> workerSystemProperties = new LinkedHashMap<>();
        private boolean workerCds = true;
        private List<String> workerCommand = List.of();
        private int workerFd;

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

        /**
         * Exec workers: each worker runs this command (words, as {@link ProcessBuilder} takes them) with the
         * Prefork agent; empty: native workers running {@link #appClass}.
         */
        public Builder workerCommand(List<String> words) {
            this.workerCommand = List.copyOf(words);
            return this;
        }

        /** Exec workers: also place the first listening socket at this fd; 0 = only fd 0. */
        public Builder workerFd(int fd) {
            this.workerFd = fd;
            return this;
        }

        /** Validates every value and seals the configuration. */
        public ServerConfig build() {
            List<BindAddress> effectiveBinds = binds.isEmpty()
                    ? List.of(BindAddress.parse("--bind", ConfigOption.BIND.defaultValue()))
                    : binds;
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
            for (String opt : workerJvmOpts) {
                if (!opt.startsWith("-")) {
                    throw new ConfigException("--worker-jvm-opts", opt,
                            "is not a JVM option (they start with '-'); quote the whole list, e.g. --worker-jvm-opts \"-Xmx128m -XX:+UseSerialGC\"");
                }
            }
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
            if (workerFd != 0) {
                if (workerCommand.isEmpty()) {
                    throw new ConfigException("--worker-fd", Integer.toString(workerFd),
                            "applies only to exec workers; give a worker command too or drop --worker-fd");
                }
                range("--worker-fd", workerFd, MIN_WORKER_FD, MAX_WORKER_FD,
                        "give an fd from " + MIN_WORKER_FD + " to " + MAX_WORKER_FD + " (fd 0 always carries the socket)");
            }
            Objects.requireNonNull(workerSystemProperties);
            return new ServerConfig(effectiveBinds, workers, admin, timeout, gracefulTimeout, bootTimeout, drainDelay,
                    maxRequests, maxRequestsJitter, workerJvmOpts, pidfile, logLevel, accessLog, reusePort, backlog,
                    keepAlive, headerTimeout, limitRequestLine, limitRequestFields, limitRequestFieldSize,
                    limitRequestBody, controlDir, configFile, hasAppClass ? appClass.trim() : null,
                    workerSystemProperties, workerCds, workerCommand, workerFd);
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
