package dev.prefork.master.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one output stream of a worker, line by line, into the master's log (logger {@code prefork.worker}),
 * each line prefixed with the worker id and pid. A JVM thread dump after SIGQUIT arrives this way too.
 */
final class OutputPump implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("prefork.worker");

    private final InputStream stream;
    private final int workerId;
    private final long pid;

    private OutputPump(InputStream stream, int workerId, long pid) {
        this.stream = stream;
        this.workerId = workerId;
        this.pid = pid;
    }

    /** Starts a daemon thread that pumps until EOF (the worker exited). */
    static Thread start(InputStream stream, int workerId, long pid, String streamName) {
        Thread thread = new Thread(new OutputPump(stream, workerId, pid), "prefork-worker-" + workerId + "-" + streamName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.info("[worker {} pid {}] {}", workerId, pid, line);
            }
        } catch (IOException e) {
            LOG.debug("[worker {} pid {}] output closed: {}", workerId, pid, e.toString());
        }
    }
}
