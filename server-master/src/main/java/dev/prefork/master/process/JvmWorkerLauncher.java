package dev.prefork.master.process;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts each worker as {@code java <jvm opts> -Dprefork.logLevel=L -Dk=v... -cp <master's class path>
 * dev.prefork.worker.WorkerMain <settings>} with the master's own {@code java} binary, and pumps its stdout and
 * stderr into the master's log.
 */
public final class JvmWorkerLauncher implements WorkerLauncher {
    public static final String WORKER_MAIN = "dev.prefork.worker.WorkerMain";
    /** Java 22+ warns on native access (Netty's epoll JNI) unless it is granted. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private final String javaBinary;
    private final String classPath;
    private final int javaFeature;
    private final String mainClass;

    public JvmWorkerLauncher() {
        this(currentJavaBinary(), System.getProperty("java.class.path"), Runtime.version().feature(), WORKER_MAIN);
    }

    JvmWorkerLauncher(String javaBinary, String classPath, int javaFeature, String mainClass) {
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.javaFeature = javaFeature;
        this.mainClass = mainClass;
    }

    @Override
    public WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException {
        Process process = new ProcessBuilder(command(settings, config)).start();
        long pid = process.pid();
        OutputPump.start(process.getInputStream(), settings.workerId(), pid, "stdout");
        OutputPump.start(process.getErrorStream(), settings.workerId(), pid, "stderr");
        return new JdkWorkerProcess(process, settings.workerId());
    }

    /** The worker's full command line. */
    List<String> command(WorkerSettings settings, ServerConfig config) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        boolean nativeAccessGiven = config.workerJvmOpts().stream().anyMatch(o -> o.startsWith("--enable-native-access"));
        if (javaFeature >= 22 && !nativeAccessGiven) {
            cmd.add(NATIVE_ACCESS);
        }
        cmd.addAll(config.workerJvmOpts());
        cmd.add("-Dprefork.logLevel=" + config.logLevel());
        for (Map.Entry<String, String> property : config.workerSystemProperties().entrySet()) {
            cmd.add("-D" + property.getKey() + "=" + property.getValue());
        }
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(settings.toArgs());
        return cmd;
    }

    /** The binary running this JVM, so workers run the same Java as the master. */
    static String currentJavaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
