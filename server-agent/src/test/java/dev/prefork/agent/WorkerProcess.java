package dev.prefork.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** A JVM started with the agent as the master would start it: agent argument, secret on stdin, output captured. */
final class WorkerProcess implements AutoCloseable {
    static final Path AGENT_JAR = Paths.get(System.getProperty("prefork.agentJar", "target/prefork-agent.jar"));

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    private WorkerProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout, "out");
        pump(process.getErrorStream(), stderr, "err");
    }

    /**
     * @param agentArgs the agent's argument string
     * @param app       what follows the JVM options: {@code -jar x.jar} or {@code -cp dir Main}
     */
    static WorkerProcess start(String agentArgs, String secret, StandInMaster master, List<String> app) throws IOException {
        if (!Files.isRegularFile(AGENT_JAR)) {
            throw new IllegalStateException(AGENT_JAR + " is missing: run mvn package first");
        }
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + "=" + agentArgs);
        command.addAll(app);
        Process p = new ProcessBuilder(command).start();
        master.expectPid(p.pid());
        OutputStream stdin = p.getOutputStream();
        stdin.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return new WorkerProcess(p);
    }

    private static void pump(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    System.out.println("[worker " + name + "] " + line);
                }
            } catch (IOException e) {
                lines.add("<" + name + " read failed: " + e + ">");
            }
        }, "worker-" + name);
        t.setDaemon(true);
        t.start();
    }

    long pid() {
        return process.pid();
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    List<String> stderr() {
        return List.copyOf(stderr);
    }

    int awaitExit(Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> process.isAlive() ? null : process.exitValue(), v -> v != null);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
