package dev.prefork.master;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.ConfigOption;
import dev.prefork.core.config.ConfigResolver;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.cli.MasterCli;
import dev.prefork.master.supervisor.Master;
import dev.prefork.master.supervisor.MasterSignal;
import dev.prefork.worker.Application;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Embedding: start a Prefork server from your own {@code main}, on the same code path as the CLI.
 * <pre>{@code
 * int exit = Prefork.builder()
 *         .bind("127.0.0.1:8080")
 *         .workers(4)
 *         .application(MyApp.class)
 *         .hooks(myHooks)
 *         .option("graceful-timeout", "20")
 *         .build()
 *         .run(args);            // blocks until the master stops; returns its exit code
 * System.exit(exit);
 * }</pre>
 * The builder's values are defaults: the command line given to {@link #run(String...)}, {@code PREFORK_*}
 * environment variables and a {@code --config} file override them, in that order (flag &gt; env &gt; file &gt;
 * builder &gt; built-in default). The application class must be on the classpath the workers get (the master's
 * own {@code java.class.path}), as with the CLI. The master installs its signal handlers (TERM, INT, HUP, TTIN,
 * TTOU) in this JVM; run one master per JVM.
 */
public final class Prefork {
    private final Supplier<ServerConfig.Builder> base;
    private final String appClass;
    private final MasterHooks hooks;
    private final AtomicReference<Master> master = new AtomicReference<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private Prefork(Supplier<ServerConfig.Builder> base, String appClass, MasterHooks hooks) {
        this.base = base;
        this.appClass = appClass;
        this.hooks = hooks;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the master on this thread until it stops (TERM, INT, {@link #stop()}) and returns its exit code
     * ({@link ExitCodes}); bad options print one line on stderr and return 2.
     *
     * @param args command-line options as the CLI takes them (may be empty)
     */
    public int run(String... args) {
        MasterCli cli = new MasterCli(System::getenv, System.out, System.err, (config, reloader) -> {
            Master m = LinuxInfrastructure.master(config, reloader, hooks);
            master.set(m);
            return m.run();
        });
        int code = ExitCodes.RUNTIME_FAILURE;
        try {
            code = cli.execute(args, appClass, base);
            return code;
        } finally {
            exit.complete(code);
        }
    }

    /** Runs the master on a new (non-daemon) thread and returns at once; see {@link #awaitExit()}. */
    public Prefork start(String... args) {
        Thread thread = new Thread(() -> run(args), "prefork-master");
        thread.start();
        return this;
    }

    /** Graceful stop, as TERM: readiness off, drain, exit. Does nothing before the master runs or after it ended. */
    public void stop() {
        Master m = master.get();
        if (m != null) {
            m.signal(MasterSignal.TERM);
        }
    }

    /** Waits for the master started by {@link #start} to end; returns its exit code. */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    /** Collects the settings; {@link #build()} validates nothing yet: {@link #run} reports bad values. */
    public static final class Builder {
        private final List<String> binds = new ArrayList<>();
        private final Map<ConfigOption, List<String>> options = new EnumMap<>(ConfigOption.class);
        private Integer workers;
        private String appClass;
        private MasterHooks hooks = MasterHooks.NONE;

        private Builder() {
        }

        /** A listen address, HOST:PORT ({@code [::]:8080} for IPv6); repeatable. */
        public Builder bind(String hostPort) {
            binds.add(Objects.requireNonNull(hostPort, "hostPort"));
            return this;
        }

        /** Worker JVMs, 1..1024. */
        public Builder workers(int n) {
            workers = n;
            return this;
        }

        /** The application the workers run; it needs a public no-argument constructor. */
        public Builder application(Class<? extends Application> application) {
            appClass = Objects.requireNonNull(application, "application").getName();
            return this;
        }

        /** The application by class name (it must be on the workers' classpath). */
        public Builder application(String className) {
            appClass = Objects.requireNonNull(className, "className");
            return this;
        }

        public Builder hooks(MasterHooks masterHooks) {
            hooks = Objects.requireNonNull(masterHooks, "masterHooks");
            return this;
        }

        /**
         * Any CLI option by its long name without dashes, e.g. {@code option("graceful-timeout", "20")},
         * {@code option("access-log", "true")}.
         *
         * @throws IllegalArgumentException for an unknown option name
         */
        public Builder option(String name, String value) {
            ConfigOption option = ConfigOption.byKey(name);
            if (option == null) {
                throw new IllegalArgumentException("unknown option '" + name
                        + "'; use a long option name without dashes, as listed by --help (e.g. graceful-timeout)");
            }
            options.computeIfAbsent(option, o -> new ArrayList<>()).add(Objects.requireNonNull(value, "value"));
            return this;
        }

        public Prefork build() {
            List<String> bindsCopy = List.copyOf(binds);
            Map<ConfigOption, List<String>> optionsCopy = new EnumMap<>(ConfigOption.class);
            options.forEach((k, v) -> optionsCopy.put(k, List.copyOf(v)));
            Integer workersCopy = workers;
            String app = appClass;
            Supplier<ServerConfig.Builder> typed = () -> {
                ServerConfig.Builder b = ServerConfig.builder();
                bindsCopy.forEach(b::bind);
                if (workersCopy != null) {
                    b.workers(workersCopy);
                }
                if (app != null) {
                    b.appClass(app);
                }
                return b;
            };
            // The builder's options are resolved like a config layer of their own, below env and file.
            Supplier<ServerConfig.Builder> base = () -> new ConfigResolver(optionsCopy, null, typed)
                    .resolve(Map.of()).toBuilder();
            return new Prefork(base, app, hooks);
        }
    }
}
