package dev.prefork.agent;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * One line per event on fd 2, {@code prefork-agent worker N pid P: ...}. Written to the raw fd, not
 * System.err, which the application may replace. No logging library: the agent stays out of the app's way.
 */
final class AgentLog {
    private static final PrintStream ERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    private static volatile String prefix = "prefork-agent pid " + ProcessHandle.current().pid() + ": ";

    private AgentLog() {
    }

    static void worker(int workerId) {
        prefix = "prefork-agent worker " + workerId + " pid " + ProcessHandle.current().pid() + ": ";
    }

    static void info(String message) {
        ERR.println(prefix + message);
    }
}
