package dev.prefork.examples.exectest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command (a framework service's JVM) started with a listening TCP socket on 127.0.0.1 already at fd N, the way
 * Prefork's agent hands one to an exec worker. Java cannot put a socket at a given fd of a child, so a python3
 * one-liner (python3 is in the base image) binds the socket, records its port and the exec time, dup2()s the
 * socket to fd N and exec()s the command: this process's pid is the command's pid, and no one else holds the socket.
 */
public final class InheritedSocketProcess implements AutoCloseable {
    private static final String LAUNCHER = String.join("\n",
            "import os, socket, sys, time",
            "info, fd, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]",
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "s.bind(('127.0.0.1', 0)); s.listen(128)",
            "os.dup2(s.fileno(), fd)",
            "with open(info + '.tmp', 'w') as f: f.write('%d %d' % (s.getsockname()[1], time.time_ns()))",
            "os.rename(info + '.tmp', info)",
            "os.execvp(cmd[0], cmd)");

    private final Process process;
    private final int port;
    private final Instant execAt;
    private final Path log;

    private InheritedSocketProcess(Process process, int port, Instant execAt, Path log) {
        this.process = process;
        this.port = port;
        this.execAt = execAt;
        this.log = log;
    }

    /**
     * Starts {@code command} with the listening socket at {@code fd}; stdout and stderr go to {@code log}.
     * Returns once the socket is listening (the command may still be booting).
     */
    public static InheritedSocketProcess start(int fd, Map<String, String> env, List<String> command, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        Path info = Files.createTempFile(log.getParent(), "socket-", ".info");
        Files.delete(info);
        List<String> argv = new ArrayList<>(List.of("python3", "-c", LAUNCHER, info.toString(), Integer.toString(fd)));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            await("python3 launcher to listen and exec (see " + log + ")").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> Files.exists(info) || !process.isAlive());
            if (!Files.exists(info)) {
                throw new IllegalStateException("the python3 launcher exited " + process.exitValue()
                        + " before listening; its output: " + Files.readString(log));
            }
            String[] fields = Files.readString(info).trim().split(" ");
            long execNanos = Long.parseLong(fields[1]);
            Instant execAt = Instant.ofEpochSecond(0, execNanos);
            return new InheritedSocketProcess(process, Integer.parseInt(fields[0]), execAt, log);
        } catch (RuntimeException | IOException e) {
            process.destroyForcibly();
            throw e;
        } finally {
            Files.deleteIfExists(info);
        }
    }

    /** The JVM's pid (the launcher exec()ed it, so it is the started process). */
    public long pid() {
        return process.pid();
    }

    /** The inherited socket's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Wall-clock time just before the launcher exec()ed the command. */
    public Instant execAt() {
        return execAt;
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }

    /** Local ports of the TCP sockets this process holds in LISTEN state (IPv4 and IPv6). */
    public List<Integer> listeningPorts() throws IOException {
        return ProcessSockets.listeningPorts(pid());
    }

    /** Connections to the inherited socket the process has accepted and not yet closed. */
    public long acceptedConnections() throws IOException {
        return ProcessSockets.acceptedConnections(pid(), port);
    }

    /** Sends SIGTERM and waits up to {@code atMost} for the exit; returns the exit code. */
    public int terminate(Duration atMost) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("pid " + pid() + " still alive " + atMost + " after SIGTERM; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
