package dev.prefork.worker.runtime;

import dev.prefork.core.control.WorkerSettings;
import dev.prefork.worker.WorkerMain;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real worker JVM started as the master starts it; killed (by pid) when closed, whatever happened. */
final class WorkerProcess implements AutoCloseable {
    private static final Path LOG_DIR = Paths.get("target", "worker-logs");

    private final Process process;
    private final Path log;
    private final OutputStream stdin;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.stdin = process.getOutputStream();
    }

    /** Default settings for a worker of {@code master}: quick heartbeats, Gunicorn limits. */
    /** The id the master gives the worker under test. */
    static final int WORKER_ID = 7;

    static WorkerSettings settings(FakeMaster master, String appClass, long maxRequests) {
        return new WorkerSettings(WORKER_ID, master.controlPath(), 1, appClass, ProcessHandle.current().pid(), 100,
                5_000, 10_000, 4094, 100, 8190, 1024 * 1024, maxRequests, false, "0", 128, 0, "", "", "", 0, "", "1.2",
                true, 100, 65_535, master.segmentPath(), 0);
    }

    /** A standby's settings: one group of sockets (the master's one), held without accepting until Activate. */
    static WorkerSettings standbySettings(FakeMaster master, String appClass) {
        return new WorkerSettings(WORKER_ID, master.controlPath(), 1, appClass, ProcessHandle.current().pid(), 100,
                5_000, 10_000, 4094, 100, 8190, 1024 * 1024, 0, false, "0", 128, 0, "", "", "", 0, "", "1.2",
                true, 100, 65_535, master.segmentPath(), 1);
    }

    static WorkerProcess start(String name, WorkerSettings settings, String secret, List<String> jvmOpts)
            throws IOException {
        Files.createDirectories(LOG_DIR);
        Path log = LOG_DIR.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx64m");
        command.add("-Dprefork.logLevel=debug");
        command.addAll(jvmOpts);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        command.addAll(settings.toArgs());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        WorkerProcess worker = new WorkerProcess(process, log);
        if (secret != null) {
            worker.stdin.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
            worker.stdin.flush();
        }
        return worker;
    }

    long pid() {
        return process.pid();
    }

    /** The exit code, waiting at most {@code timeout}; fails the test when the worker is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("worker " + process.pid() + " still runs after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void closeStdin() throws IOException {
        stdin.close();
    }

    /**
     * SIGTERM through the process handle: {@code Process.destroy()} would also close the worker's stdin, which
     * the worker rightly reads as its master dying.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
