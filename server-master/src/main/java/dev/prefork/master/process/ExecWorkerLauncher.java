package dev.prefork.master.process;

import dev.prefork.core.config.ConfigException;
import dev.prefork.core.config.ServerConfig;
import dev.prefork.core.control.WorkerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Exec workers: runs the user's worker command ({@code --worker-command} or {@code -- CMD ARGS...}) with the
 * Prefork agent in its JVM. When the command's first word is a {@code java} binary the agent option goes right
 * after it; otherwise (a launcher script) it is appended to the child's {@code JDK_JAVA_OPTIONS}, which only the
 * {@code java} launcher reads (JDK 9+), so the JVM the script starts gets it and javac/jcmd do not. The agent
 * reads the secret from stdin, hands the listening socket to the application at fd 0 (and fd N) and speaks the
 * control protocol for it. No worker JVM options and no CDS archive are added: the command is the user's.
 */
public final class ExecWorkerLauncher implements WorkerLauncher {
    /** The agent's JNI library is a restricted method on Java 22+; granting it keeps the worker's stderr clean. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    static final String JDK_JAVA_OPTIONS = "JDK_JAVA_OPTIONS";
    /** The worker's id in its environment (the application may log it). */
    public static final String WORKER_ID_ENV = "PREFORK_WORKER_ID";

    private final Supplier<Path> agentJar;
    private Path located;

    /** Locates the agent jar at the first launch ({@link AgentJar#locate()}). */
    public ExecWorkerLauncher() {
        this(AgentJar::locate);
    }

    ExecWorkerLauncher(Supplier<Path> agentJar) {
        this.agentJar = agentJar;
    }

    /**
     * What the CLI checks before anything starts, so that a bad exec set-up exits 2 with one line: the agent jar
     * exists, and the control directory has no comma (the agent's arguments are comma-separated).
     *
     * @throws ConfigException naming the setting and the remedy
     */
    public static void checkUsable(ServerConfig config) {
        AgentJar.locate();
        Path controlParent = config.controlDir() != null ? config.controlDir()
                : Path.of(System.getProperty("java.io.tmpdir"));
        if (controlParent.toString().contains(",")) {
            throw new ConfigException("--control-dir", controlParent.toString(), "contains a comma, which the agent's "
                    + "arguments cannot carry; give a directory without one");
        }
    }

    @Override
    public WorkerProcess launch(WorkerSettings settings, ServerConfig config) throws IOException {
        Path agent;
        try {
            agent = agentJar();
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        ProcessBuilder builder = new ProcessBuilder(command(settings, config, agent));
        environment(builder.environment(), settings, config, agent);
        Process process = builder.start();
        long pid = process.pid();
        OutputPump.start(process.getInputStream(), settings.workerId(), pid, "stdout");
        OutputPump.start(process.getErrorStream(), settings.workerId(), pid, "stderr");
        return new JdkWorkerProcess(process, settings.workerId(), true);
    }

    private synchronized Path agentJar() {
        if (located == null) {
            located = agentJar.get();
        }
        return located;
    }

    /** The worker command, with the agent option after {@code java} when the command starts with one. */
    List<String> command(WorkerSettings settings, ServerConfig config, Path agent) {
        List<String> words = config.workerCommand();
        if (!startsWithJava(words)) {
            return words;
        }
        List<String> cmd = new ArrayList<>(words.size() + 2);
        cmd.add(words.get(0));
        if (words.stream().noneMatch(w -> w.startsWith("--enable-native-access"))) {
            cmd.add(NATIVE_ACCESS);
        }
        cmd.add(javaAgentOption(settings, config, agent));
        cmd.addAll(words.subList(1, words.size()));
        return cmd;
    }

    /** {@code PREFORK_WORKER_ID}, and for a launcher script the agent option in {@code JDK_JAVA_OPTIONS}. */
    void environment(Map<String, String> env, WorkerSettings settings, ServerConfig config, Path agent) {
        env.put(WORKER_ID_ENV, Integer.toString(settings.workerId()));
        if (startsWithJava(config.workerCommand())) {
            return;
        }
        String inherited = env.getOrDefault(JDK_JAVA_OPTIONS, "").trim();
        StringBuilder options = new StringBuilder(inherited);
        if (!inherited.contains("--enable-native-access")) {
            options.append(options.length() > 0 ? " " : "").append(NATIVE_ACCESS);
        }
        // The launcher splits JDK_JAVA_OPTIONS at blanks; quotes protect a path with one.
        options.append(' ').append('"').append(javaAgentOption(settings, config, agent)).append('"');
        env.put(JDK_JAVA_OPTIONS, options.toString());
    }

    /**
     * {@code -javaagent:<jar>=control=PATH,worker=ID,sockets=N,heartbeat-ms=MS,max-requests=N[,segment=PATH][,fd=N]}:
     * the segment is the worker's metrics file in the control directory (no comma: {@link #checkUsable}).
     */
    static String javaAgentOption(WorkerSettings settings, ServerConfig config, Path agent) {
        StringBuilder args = new StringBuilder()
                .append("control=").append(settings.controlSocket())
                .append(",worker=").append(settings.workerId())
                .append(",sockets=").append(settings.socketCount())
                .append(",heartbeat-ms=").append(settings.heartbeatMillis())
                .append(",max-requests=").append(settings.maxRequests());
        if (!settings.segment().isEmpty()) {
            args.append(",segment=").append(settings.segment());
        }
        if (config.workerFd() != 0) {
            args.append(",fd=").append(config.workerFd());
        }
        return "-javaagent:" + agent + "=" + args;
    }

    static boolean startsWithJava(List<String> words) {
        if (words.isEmpty()) {
            return false;
        }
        Path first = Path.of(words.get(0)).getFileName();
        return first != null && first.toString().equals("java");
    }
}
