package dev.prefork.master.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker started through {@link ProcessBuilder}; the JDK reaps it. */
final class JdkWorkerProcess implements WorkerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(JdkWorkerProcess.class);

    private final Process process;
    private final int workerId;
    private final CompletableFuture<Integer> exit;
    private final boolean agentMayBeDescendant;

    /** @param agentMayBeDescendant an exec worker: its JVM may be a child of a launcher script */
    JdkWorkerProcess(Process process, int workerId, boolean agentMayBeDescendant) {
        this.process = process;
        this.workerId = workerId;
        this.agentMayBeDescendant = agentMayBeDescendant;
        this.exit = process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public boolean agentMayBeDescendant() {
        return agentMayBeDescendant;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void sendSecret(String secret) {
        OutputStream stdin = process.getOutputStream();
        try {
            stdin.write((secret + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            LOG.warn("worker {} pid {}: cannot write its secret to its stdin ({}); it will fail its handshake",
                    workerId, pid(), e.toString());
        }
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    @Override
    public void destroyForcibly() {
        process.destroyForcibly();
    }
}
