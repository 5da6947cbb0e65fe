package dev.prefork.core.config;

import dev.prefork.core.tls.ClientCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Every server option, each defined once here: its flag, {@code PREFORK_*} environment variable and
 * {@code --config} file key (all from its name), help text, typed default, parser, checks and the
 * {@link ServerConfig} component that holds it (see {@link Setting}). The CLI and {@code --help}, the
 * environment and the file, {@link ServerConfig}'s defaults and validation all read this one table;
 * {@code OptionsDocumentationTest} holds the README's options table equal to it.
 *
 * <p>To add an option: (1) a component in {@link ServerConfig}, its one-line typed setter in
 * {@link ServerConfig.Builder} ({@code set(ConfigOption.X, value)}) and {@code get(ConfigOption.X)} at its place in
 * {@code build()}; (2) one constant here, e.g.
 * {@code WORKER_FD(Setting.integer("worker-fd", "N", "...").byDefault(0).check(Setting.intRange(0, 1023, "give ..."))
 * .in(ServerConfig::workerFd))}; (3) its row in README.md's options table; (4) its use, e.g. in the worker
 * settings, and in {@code ConfigReload} if a HUP must not change it. Flag, env variable, file key, parsing,
 * checks, default, {@code --help} and {@code toBuilder} follow from (2).
 */
public enum ConfigOption {
    BIND(Setting.list("bind", "HOST:PORT", "listen address; repeatable; [::]:8080 for IPv6, unix:/path for a Unix "
                            + "socket (env and file: comma-separated)",
                    (flag, values) -> BindAddress.parse(flag, values.get(0)))
            .byDefault(List.of(new BindAddress("127.0.0.1", 8000)))
            .in(ServerConfig::binds)),
    BIND_UNIX_MODE(Setting.value("bind-unix-mode", "OCTAL",
                    "permissions of --bind unix: socket files (whoever may connect needs write)",
                    (flag, values) -> {
                        String v = Setting.last(values);
                        try {
                            return Integer.parseInt(v, 8);
                        } catch (NumberFormatException e) {
                            throw new ConfigException(flag, v, "is not an octal mode; give e.g. " + flag + " 0660");
                        }
                    }, mode -> String.format(Locale.ROOT, "%04o", mode))
            .byDefault(0660)
            .check((flag, mode) -> {
                if (mode < 0 || mode > 0777) {
                    throw new ConfigException(flag, Integer.toOctalString(mode),
                            "is out of range; give octal permission bits 0000..0777, e.g. " + flag + " 0660");
                }
            })
            .in(ServerConfig::bindUnixMode)),
    BIND_UNIX_OWNER(Setting.plain("bind-unix-owner", "[USER][:GROUP]",
                    "owner and/or group of --bind unix: socket files (changing the user needs root)",
                    owner -> owner.isBlank() ? null : owner.trim(), owner -> owner)
            .absentMeans("master's")
            .check((flag, owner) -> {
                if (owner != null && (owner.equals(":") || owner.indexOf(':') != owner.lastIndexOf(':'))) {
                    throw new ConfigException(flag, owner, "is not USER, USER:GROUP or :GROUP; give e.g. " + flag + " :www-data");
                }
            })
            .in(ServerConfig::bindUnixOwner)),
    WORKERS(Setting.integer("workers", "N", "worker JVMs, 1.." + ServerConfig.MAX_WORKERS)
            .byDefault(ServerConfig::defaultWorkers, "number of CPUs")
            .check(Setting.intRange(1, ServerConfig.MAX_WORKERS, "give a worker count from 1 to " + ServerConfig.MAX_WORKERS))
            .in(ServerConfig::workers)),
    ADMIN(Setting.value("admin", "HOST:PORT", "the master's admin HTTP (metrics, health); 'off' disables",
                    (flag, values) -> {
                        String v = Setting.last(values);
                        return "off".equalsIgnoreCase(v) ? null : BindAddress.parse(flag, v);
                    }, address -> address == null ? "off" : address.toString())
            .byDefault(new BindAddress("127.0.0.1", 9000))
            .check((flag, address) -> {
                if (address != null && address.isUnix()) {
                    throw new ConfigException(flag, address.toString(),
                            "must be HOST:PORT or off; the admin HTTP has no Unix socket, give e.g. " + flag + " 127.0.0.1:9000");
                }
            })
            .in(ServerConfig::admin)),
    TIMEOUT(Setting.seconds("timeout", "a worker silent this long is killed and replaced; 0 = off")
            .byDefault(Duration.ofSeconds(30)).check(Setting.atLeastZero()).in(ServerConfig::timeout)),
    GRACEFUL_TIMEOUT(Setting.seconds("graceful-timeout", "how long draining workers get, after the drain delay, before SIGKILL")
            .byDefault(Duration.ofSeconds(30)).check(Setting.atLeastZero()).in(ServerConfig::gracefulTimeout)),
    BOOT_TIMEOUT(Setting.seconds("boot-timeout", "a worker not ready this long after spawn fails the boot (exit 3)")
            .byDefault(Duration.ofSeconds(60)).check(Setting.aboveZero()).in(ServerConfig::bootTimeout)),
    DRAIN_DELAY(Setting.seconds("drain-delay", "on TERM, keep serving this long after readiness goes 503 (for load balancers)")
            .byDefault(Duration.ZERO).check(Setting.atLeastZero()).in(ServerConfig::drainDelay)),
    STANDBY(Setting.integer("standby", "N",
                    "workers kept booted (application initialised) but not accepting, each ready to take a dead or "
                            + "recycled worker's place at once; not with exec workers (--worker-command); 0.." + ServerConfig.MAX_WORKERS)
            .byDefault(0).check(Setting.intRange(0, ServerConfig.MAX_WORKERS, "give 0 (none) to "
                    + ServerConfig.MAX_WORKERS + " standby workers"))
            .in(ServerConfig::standby)),
    MAX_REQUESTS(Setting.longInteger("max-requests", "N", "recycle a worker after N requests; 0 = off")
            .byDefault(0L).check(Setting.range(0, Long.MAX_VALUE, "give 0 (off) or a positive request count"))
            .in(ServerConfig::maxRequests)),
    MAX_REQUESTS_JITTER(Setting.longInteger("max-requests-jitter", "N", "add a random 0..N to max-requests per worker")
            .byDefault(0L).check(Setting.range(0, Long.MAX_VALUE, "give 0 (off) or a positive count"))
            .in(ServerConfig::maxRequestsJitter)),
    MAX_WORKER_HEAP(Setting.value("max-worker-heap", "BYTES|PERCENT",
                    "recycle a worker whose heap after GC exceeds this: bytes (k/m/g) or a percent of its -Xmx; 0 = off",
                    (flag, values) -> MemoryLimit.parse(flag, Setting.last(values)), MemoryLimit::toString)
            .byDefault(MemoryLimit.OFF)
            .in(ServerConfig::maxWorkerHeap)),
    MAX_WORKER_RSS(Setting.value("max-worker-rss", "BYTES",
                    "recycle a worker whose resident memory exceeds this: bytes (k/m/g); 0 = off",
                    (flag, values) -> MemoryLimit.parseBytes(flag, Setting.last(values)), bytes -> Long.toString(bytes))
            .byDefault(0L)
            .in(ServerConfig::maxWorkerRss)),
    WORKER_JVM_OPTS(Setting.plain("worker-jvm-opts", "\"OPTS\"", "JVM options for each worker (replace the lean defaults)",
                    ServerConfig::splitJvmOpts, opts -> String.join(" ", opts))
            .byDefault(ServerConfig.splitJvmOpts(ServerConfig.DEFAULT_WORKER_JVM_OPTS))
            .check((flag, opts) -> {
                for (String opt : opts) {
                    if (!opt.startsWith("-")) {
                        throw new ConfigException(flag, opt, "is not a JVM option (they start with '-'); quote the whole "
                                + "list, e.g. " + flag + " \"-Xmx128m -XX:+UseSerialGC\"");
                    }
                }
            })
            .in(ServerConfig::workerJvmOpts)),
    WORKER_CDS(Setting.value("worker-cds", "auto|off",
                    "auto: workers start from a class-data archive of their class path, made once and cached (AppCDS; "
                            + "a JDK AOT cache on Java 25+); off: without",
                    (flag, values) -> {
                        String v = Setting.last(values);
                        return switch (v.toLowerCase(Locale.ROOT)) {
                            case "auto", "on", "true" -> true;
                            case "off", "false" -> false;
                            default -> throw new ConfigException(flag, v, "is not a mode; give auto or off");
                        };
                    }, on -> on ? "auto" : "off")
            .byDefault(true).in(ServerConfig::workerCds)),
    WORKER_COMMAND(Setting.value("worker-command", "\"CMD ARGS\"", "exec workers: run this command as each worker (e.g. "
                    + "\"java -Xmx512m -jar my-service.jar\"), split into words like a POSIX shell without running one; "
                    + "the Prefork agent hands it the listening socket at fd 0. Instead of APP_CLASS; also: -- CMD ARGS... "
                    + "at the end", (flag, values) -> {
                        List<String> words = ShellWords.split(flag, Setting.last(values));
                        if (words.isEmpty()) {
                            throw new ConfigException(flag, Setting.last(values), "is empty; give the command that "
                                    + "starts your service, e.g. " + flag + " \"java -jar my-service.jar\"");
                        }
                        return words;
                    }, ShellWords::quote)
            // Empty (the default) means native workers running APP_CLASS.
            .byDefault(List::of, "none")
            .in(ServerConfig::workerCommand)),
    WORKER_FD(Setting.integer("worker-fd", "N", "exec workers: also place the first listening socket at fd N ("
                    + ServerConfig.MIN_WORKER_FD + ".." + ServerConfig.MAX_WORKER_FD + "), for servers that take a "
                    + "numbered fd (Micronaut)")
            .byDefault(() -> ServerConfig.NO_WORKER_FD, "none")
            .check((flag, fd) -> {
                if (fd != ServerConfig.NO_WORKER_FD) {
                    Setting.intRange(ServerConfig.MIN_WORKER_FD, ServerConfig.MAX_WORKER_FD, "give an fd from "
                            + ServerConfig.MIN_WORKER_FD + " to " + ServerConfig.MAX_WORKER_FD
                            + " (fd 0 always carries the socket)").check(flag, fd);
                }
            })
            .in(ServerConfig::workerFd)),
    PIDFILE(Setting.path("pidfile", "PATH", "write the master pid to this file")
            .absentMeans("none").in(ServerConfig::pidfile)),
    LOG_LEVEL(Setting.plain("log-level", "LEVEL", "trace, debug, info, warn or error",
                    level -> level.toLowerCase(Locale.ROOT), level -> level)
            .byDefault("info")
            .check((flag, level) -> {
                if (!ServerConfig.LOG_LEVELS.contains(level)) {
                    throw new ConfigException(flag, level, "is not a level; give one of " + String.join(", ", ServerConfig.LOG_LEVELS));
                }
            })
            .in(ServerConfig::logLevel)),
    ACCESS_LOG(Setting.flag("access-log", "per-request log lines in workers (--no-access-log turns them off)")
            .in(ServerConfig::accessLog)),
    REUSE_PORT(Setting.flag("reuse-port", "one SO_REUSEPORT listening socket per worker slot (even accept balancing)")
            .in(ServerConfig::reusePort)),
    BACKLOG(Setting.integer("backlog", "N", "listen backlog of each listening socket")
            .byDefault(2048).check(Setting.intRange(1, 65535, "give a backlog from 1 to 65535")).in(ServerConfig::backlog)),
    KEEP_ALIVE(Setting.seconds("keep-alive", "close a keep-alive connection idle this long")
            .byDefault(Duration.ofSeconds(5)).check(Setting.aboveZero()).in(ServerConfig::keepAlive)),
    HEADER_TIMEOUT(Setting.seconds("header-timeout", "close a connection that has not sent a whole request head in this time")
            .byDefault(Duration.ofSeconds(10)).check(Setting.aboveZero()).in(ServerConfig::headerTimeout)),
    LIMIT_REQUEST_LINE(Setting.integer("limit-request-line", "BYTES", "longest request line (414 beyond)")
            .byDefault(4094).check(Setting.intRange(64, 65536, "give 64..65536 bytes")).in(ServerConfig::limitRequestLine)),
    LIMIT_REQUEST_FIELDS(Setting.integer("limit-request-fields", "N", "most header fields in a request (431 beyond)")
            .byDefault(100).check(Setting.intRange(1, 32768, "give 1..32768 fields")).in(ServerConfig::limitRequestFields)),
    LIMIT_REQUEST_FIELD_SIZE(Setting.integer("limit-request-field-size", "BYTES", "longest header field (431 beyond)")
            .byDefault(8190).check(Setting.intRange(64, 65536, "give 64..65536 bytes")).in(ServerConfig::limitRequestFieldSize)),
    LIMIT_REQUEST_BODY(Setting.longInteger("limit-request-body", "BYTES", "largest request body (413 beyond)")
            .byDefault(10L * 1024 * 1024).check(Setting.range(0, Long.MAX_VALUE, "give a size in bytes, 0 or more"))
            .in(ServerConfig::limitRequestBody)),
    THREADS(Setting.value("threads", "N|virtual", "run blocking handlers on a per-worker pool of N threads (gthread), "
                            + "or on one virtual thread per request (Java 21+); 0 = none",
                    (flag, values) -> HandlerThreads.parse(flag, Setting.last(values)), HandlerThreads::toString)
            .byDefault(HandlerThreads.NONE)
            .check((flag, threads) -> {
                if (threads == null) {
                    throw new ConfigException(flag, "null", "is not a thread setting; give a count, e.g. " + flag + " 32, or virtual");
                }
                if (threads.virtual() && Runtime.version().feature() < HandlerThreads.VIRTUAL_MIN_JAVA) {
                    throw new ConfigException(flag, "virtual", "needs Java " + HandlerThreads.VIRTUAL_MIN_JAVA
                            + " or newer (virtual threads), but this is Java " + Runtime.version()
                            + "; run Prefork with Java 21+ or give a thread count, e.g. " + flag + " 32");
                }
            })
            .in(ServerConfig::threads)),
    THREAD_QUEUE(Setting.integer("thread-queue", "N",
                    "most requests waiting for a handler thread (with virtual: most in flight); beyond it 503 at once")
            .byDefault(128).check(Setting.intRange(1, 1_000_000, "give 1..1000000 requests")).in(ServerConfig::threadQueue)),
    REQUEST_TIMEOUT(Setting.seconds("request-timeout",
                    "a request not answered this long after its handler was called is answered 503 and its connection closed; 0 = off")
            .byDefault(Duration.ZERO).check(Setting.atLeastZero()).in(ServerConfig::requestTimeout)),
    CERTFILE(Setting.path("certfile", "FILE", "PEM certificate chain, leaf first: serve TLS (the key may be in this file too)")
            .absentMeans("none").in(ServerConfig::certFile)),
    KEYFILE(Setting.path("keyfile", "FILE", "PEM private key of the certificate: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted")
            .absentMeans("none").in(ServerConfig::keyFile)),
    CA_CERTS(Setting.path("ca-certs", "FILE", "PEM CA certificates that client certificates are verified against")
            .absentMeans("none").in(ServerConfig::caCerts)),
    CERT_REQS(Setting.value("cert-reqs", "0|1|2",
                    "client certificates: 0 not asked for, 1 optional, 2 required (1 and 2 need --ca-certs)",
                    (flag, values) -> {
                        String v = Setting.last(values);
                        ClientCertificates mode = v.matches("[0-9]") ? ClientCertificates.ofCode(Integer.parseInt(v)) : null;
                        if (mode == null) {
                            throw new ConfigException(flag, v, "is not 0, 1 or 2 (Gunicorn's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED)");
                        }
                        return mode;
                    }, mode -> Integer.toString(mode.code()))
            .byDefault(ClientCertificates.NONE)
            .check((flag, mode) -> {
                if (mode == null) {
                    throw new ConfigException(flag, null, "is missing; give 0, 1 or 2");
                }
            })
            .in(ServerConfig::certReqs)),
    CIPHERS(Setting.plain("ciphers", "LIST",
                    "TLS cipher suites by IANA name, comma- or colon-separated; default: the TLS provider's secure defaults",
                    ServerConfig::splitCiphers, ciphers -> String.join(",", ciphers))
            .byDefault(List::of, "the TLS provider's secure defaults")
            .check(TlsValidation::knownCipherSuites)
            .in(ServerConfig::ciphers)),
    TLS_MIN_VERSION(Setting.plain("tls-min-version", "1.2|1.3", "oldest TLS version accepted", version -> version,
                    version -> version)
            .byDefault("1.2")
            .check((flag, version) -> {
                if (!ServerConfig.TLS_VERSIONS.contains(version)) {
                    throw new ConfigException(flag, version, "is not a TLS version; give 1.2 or 1.3");
                }
            })
            .in(ServerConfig::tlsMinVersion)),
    HTTP2(Setting.value("http2", "on|off", "HTTP/2: h2 over TLS by ALPN, cleartext h2c by prior knowledge and by Upgrade",
                    (flag, values) -> {
                        String v = Setting.last(values);
                        return switch (v.toLowerCase(Locale.ROOT)) {
                            case "on", "true", "yes", "1" -> true;
                            case "off", "false", "no", "0" -> false;
                            default -> throw new ConfigException(flag, v, "is not on or off; give " + flag + " on or "
                                    + flag + " off");
                        };
                    }, on -> on ? "on" : "off")
            .byDefault(true).in(ServerConfig::http2)),
    HTTP2_MAX_CONCURRENT_STREAMS(Setting.integer("http2-max-concurrent-streams", "N",
                    "streams a client may have open at once on one HTTP/2 connection")
            .byDefault(100).check(Setting.intRange(1, 100_000, "give 1..100000 streams"))
            .in(ServerConfig::http2MaxConcurrentStreams)),
    HTTP2_INITIAL_WINDOW_SIZE(Setting.integer("http2-initial-window-size", "BYTES",
                    "HTTP/2 per-stream flow-control window announced to clients (request bodies)")
            .byDefault(65_535).check(Setting.intRange(1, Integer.MAX_VALUE, "give 1..2147483647 bytes (RFC 9113)"))
            .in(ServerConfig::http2InitialWindowSize)),
    CONTROL_DIR(Setting.plain("control-dir", "PATH", "parent directory of the master's private control directory",
                    Path::of, Path::toString)
            .absentMeans("java.io.tmpdir").in(ServerConfig::controlDir)),
    CONFIG(Setting.plain("config", "FILE", "properties file with any of these options (keys without the leading --)",
                    Path::of, Path::toString)
            .absentMeans("none").in(ServerConfig::configFile));

    /** How an option takes its value on the command line. */
    public enum Kind {
        /** {@code --name VALUE}. */
        VALUE,
        /** {@code --name VALUE}, repeatable; comma-separated in the environment and the file. */
        LIST,
        /** {@code --name} or {@code --no-name}. */
        SWITCH
    }

    private final Setting<?> setting;

    ConfigOption(Setting<?> setting) {
        if (!setting.isComplete()) {
            throw new IllegalStateException("option " + setting.key() + " names no ServerConfig component");
        }
        this.setting = setting;
    }

    /** Key in a properties file, e.g. {@code graceful-timeout}. */
    public String key() {
        return setting.key();
    }

    /** Command-line flag, e.g. {@code --graceful-timeout}. */
    public String flag() {
        return "--" + setting.key();
    }

    /** Environment variable, e.g. {@code PREFORK_GRACEFUL_TIMEOUT}. */
    public String envVar() {
        return "PREFORK_" + setting.key().replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The value's label in the usage, e.g. {@code SECONDS}; null for a switch. */
    public String paramLabel() {
        return setting.paramLabel();
    }

    /** One line of help text. */
    public String description() {
        return setting.description();
    }

    /**
     * The default as the README and {@code --help} show it: a value as it is written on the command line
     * ({@code 30}, {@code 127.0.0.1:8000}, {@code off}) or what a computed or absent default means
     * ({@code number of CPUs}, {@code none}).
     */
    public String defaultText() {
        return setting.defaultText();
    }

    public Kind kind() {
        return setting.kind();
    }

    Setting<?> setting() {
        return setting;
    }

    public static ConfigOption byKey(String key) {
        for (ConfigOption option : values()) {
            if (option.key().equals(key)) {
                return option;
            }
        }
        return null;
    }
}
