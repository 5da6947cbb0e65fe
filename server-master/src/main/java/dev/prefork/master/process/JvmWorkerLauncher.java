package dev.prefork.master.process;

import dev.prefork.master.net.SystemdSockets;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import dev.prefork.master.cds.WorkerCds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Starts each worker as {@code java <jvm opts> [CDS opts] -Dprefork.logLevel=L -Dprefork.role=worker -Dk=v...
 * -cp <master's class path> dev.prefork.worker.WorkerMain <settings>} with the master's own {@code java} binary,
 * and pumps its stdout and stderr into the master's log. The CDS options come from {@link WorkerCds}
 * ({@code --worker-cds}).
 */
public final class JvmWorkerLauncher implements WorkerLauncher {
    public static final String WORKER_MAIN = "dev.prefork.worker.WorkerMain";
    /** Java 22+ warns on native access (Netty's epoll JNI) unless it is granted. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /**
     * Java 25+: give the C heap's freed pages back to the OS every 5 s ({@code malloc_trim}). An idle Java 25 worker
     * otherwise keeps about 4 MiB more than it uses (the JIT's and class loading's freed arenas); Java 17 has the
     * option only as an experimental one. Measured in BENCHMARKS.md.
     */
    static final String TRIM_NATIVE_HEAP = "-XX:TrimNativeHeapInterval=5000";
    static final int TRIM_NATIVE_HEAP_SINCE = 25;
    /**
     * Java 25: Netty 4.2 turns {@code sun.misc.Unsafe} off by default there unless this option is given, and then
     * takes slower-starting roads (VarHandle queues, memory segments: about 70 ms more CPU per worker boot, see
     * BENCHMARKS.md). With it a Java 25 worker runs Netty as Java 17 does, without the JDK's warning. Only on 25:
     * a later JDK is to drop the option, and an unknown option would stop the worker's JVM.
     */
    static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";
    static final int UNSAFE_MEMORY_ACCESS_ON = 25;
    /**
     * The options a worker gets on the Java versions that need them, unless its own options already decide the
     * matter (any option starting with one of {@code decidedBy}; for Unsafe, the JDK's and Netty's own switches).
     */
    private record DefaultOption(String option, java.util.function.IntPredicate onJava, List<String> decidedBy) {
        boolean appliesTo(int javaFeature, List<String> userOptions) {
            return onJava.test(javaFeature)
                    && userOptions.stream().noneMatch(o -> decidedBy.stream().anyMatch(o::startsWith));
        }
    }

    private static final List<DefaultOption> DEFAULT_OPTIONS = List.of(
            new DefaultOption(NATIVE_ACCESS, f -> f >= 22, List.of("--enable-native-access")),
            new DefaultOption(TRIM_NATIVE_HEAP, f -> f >= TRIM_NATIVE_HEAP_SINCE, List.of("-XX:TrimNativeHeapInterval")),
            new DefaultOption(UNSAFE_MEMORY_ACCESS, f -> f == UNSAFE_MEMORY_ACCESS_ON, List.of(
                    "--sun-misc-unsafe-memory-access", "-Dsun.misc.unsafe.memory.access", "-Dio.netty.noUnsafe")));
    /** Tells the worker JVM's logging set-up that it is a worker (see the example's WorkerLogConfigurator). */
    public static final String ROLE_PROPERTY = "prefork.role";

    private final String javaBinary;
    private final String classPath;
    private final int javaFeature;
    private final String mainClass;
    private final WorkerCds cds;

    public JvmWorkerLauncher() {
        this(currentJavaBinary(), System.getProperty("java.class.path"), Runtime.version().feature(), WORKER_MAIN,
                WorkerCds.standard(System.getProperty("java.class.path"), System.getenv()));
    }

    /** Without CDS. */
    JvmWorkerLauncher(String javaBinary, String classPath, int javaFeature, String mainClass) {
        this(javaBinary, classPath, javaFeature, mainClass, null);
    }

    /** @param cds null: never an archive */
    JvmWorkerLauncher(String javaBinary, String classPath, int javaFeature, String mainClass, WorkerCds cds) {
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.javaFeature = javaFeature;
        this.mainClass = mainClass;
        this.cds = cds;
    }

    /** Each class-path entry with its size and modification time (an unreadable one as such). */
    @Override
    public String codeVersion() {
        StringBuilder version = new StringBuilder();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            java.io.File file = new java.io.File(entry);
            version.append(entry).append(' ').append(file.length()).append(' ').append(file.lastModified()).append(';');
        }
        return version.toString();
    }

    @Override
    public WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException {
        List<String> cdsOptions = cds == null ? List.of()
                : cds.optionsFor(config, trainingOptions -> command(settings, config, trainingOptions,
                        WorkerCds.TRAINING_MAIN));
        Process process = SystemdSockets.withoutActivationEnv(
                new ProcessBuilder(command(settings, config, cdsOptions, mainClass))).start();
        long pid = process.pid();
        OutputPump.start(process.getInputStream(), settings.workerId(), pid, "stdout");
        OutputPump.start(process.getErrorStream(), settings.workerId(), pid, "stderr");
        if (cds != null) {
            cds.launched(pid, cdsOptions);
        }
        return new JdkWorkerProcess(process, settings.workerId(), false);
    }

    /**
     * {@code --prepare-worker-cds}: the workers' CDS archive for {@code config}, trained now (with
     * {@code settings} as the training worker's) unless it exists.
     *
     * @return completes with the archive, or empty when workers would start without one (the log says why)
     */
    public CompletableFuture<Optional<Path>> prepareCds(WorkerSettings settings, ServerConfig config) {
        if (cds == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return cds.prepare(config, trainingOptions -> command(settings, config, trainingOptions, WorkerCds.TRAINING_MAIN));
    }

    /** The worker's full command line, without CDS options. */
    List<String> command(WorkerSettings settings, ServerConfig config) {
        return command(settings, config, List.of(), mainClass);
    }

    private List<String> command(WorkerSettings settings, ServerConfig config, List<String> extraJvmOptions,
                                 String main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        for (DefaultOption option : DEFAULT_OPTIONS) {
            if (option.appliesTo(javaFeature, config.workerJvmOpts())) {
                cmd.add(option.option());
            }
        }
        cmd.addAll(config.workerJvmOpts());
        cmd.addAll(extraJvmOptions);
        cmd.add("-Dprefork.logLevel=" + config.logLevel());
        cmd.add("-D" + ROLE_PROPERTY + "=worker");
        for (Map.Entry<String, String> property : config.workerSystemProperties().entrySet()) {
            cmd.add("-D" + property.getKey() + "=" + property.getValue());
        }
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(settings.toArgs());
        return cmd;
    }

    /** The binary running this JVM, so workers run the same Java as the master. */
    static String currentJavaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
