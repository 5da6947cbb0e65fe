package dev.prefork.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The masters a test starts, each closed (with its workers) after the test: register with
 * {@code @RegisterExtension final StartedMasters masters = new StartedMasters();}. Used by the protocol ITs (TLS,
 * HTTP/2), which need one worker and no CDS training run unless they say otherwise, and by ITs that start
 * their masters themselves and {@link #add} them.
 */
final class StartedMasters implements AfterEachCallback {
    private final List<MasterProcess> masters = new ArrayList<>();

    /** {@code --workers 1 --worker-cds off} unless {@code args} give their own, then {@code args}. */
    MasterProcess start(String... args) throws IOException {
        List<String> given = List.of(args);
        List<String> all = new ArrayList<>();
        if (!given.contains("--workers")) {
            all.addAll(List.of("--workers", "1"));
        }
        if (!given.contains("--worker-cds")) {
            all.addAll(List.of("--worker-cds", "off"));
        }
        all.addAll(given);
        MasterProcess master = MasterProcess.start(all.toArray(new String[0]));
        masters.add(master);
        return master;
    }

    /** A master started otherwise, to be closed after the test like the others. */
    void add(MasterProcess started) {
        masters.add(started);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        masters.forEach(MasterProcess::close);
        masters.clear();
    }
}
