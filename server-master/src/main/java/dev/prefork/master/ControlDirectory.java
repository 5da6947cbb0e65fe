package dev.prefork.master;

import java.nio.file.Path;

/**
 * The master's private control directory (mode 0700) holding the control socket; removed at exit.
 * TODO(H2b): implement.
 */
public final class ControlDirectory implements AutoCloseable {

    /** Creates {@code prefork-<pid>-<random>} under {@code parent} (null: java.io.tmpdir). Errors name path and remedy. */
    public static ControlDirectory create(Path parent) {
        throw new UnsupportedOperationException("TODO");
    }

    public Path socketPath() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
