package dev.prefork.master.cds;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a worker's memory map and thread names from {@code /proc}. */
final class ProcWorkerView implements CdsMapCheck.ProcessView {
    /** Thread names are cut to 15 characters in {@code comm}. */
    private static final String REFERENCE_HANDLER = "Reference Handl";

    @Override
    public String maps(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean jvmInitialised(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().equals(REFERENCE_HANDLER)) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // the thread just ended
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
