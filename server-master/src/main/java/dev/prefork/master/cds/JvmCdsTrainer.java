package dev.prefork.master.cds;

import dev.prefork.master.net.SystemdSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the CDS training JVM at a lower CPU priority ({@code nice}), so that it yields to the workers booting
 * at the same time, with its output in a log file. It is killed if it outlives the timeout or the master: its
 * stdin is a pipe the master never writes, so the master's death is its EOF.
 */
final class JvmCdsTrainer implements CdsTrainingRun.Trainer {
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final long TIMEOUT_SECONDS = 120;

    @Override
    public CompletableFuture<Integer> run(List<String> command, Path logFile) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(NICE)) {
            cmd.addAll(List.of(NICE.toString(), "-n", "10"));
        }
        cmd.addAll(command);
        Process process = SystemdSockets.withoutActivationEnv(new ProcessBuilder(cmd))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        Thread killer = new Thread(process::destroyForcibly, "prefork-cds-training-kill");
        Runtime.getRuntime().addShutdownHook(killer);
        return process.onExit()
                .orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .handle((p, error) -> {
                    removeHook(killer);
                    if (error instanceof TimeoutException) {
                        process.destroyForcibly();
                        throw new IllegalStateException("the training run took over " + TIMEOUT_SECONDS + " s; killed it");
                    }
                    return process.exitValue();
                });
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway; the process has exited.
        }
    }
}
