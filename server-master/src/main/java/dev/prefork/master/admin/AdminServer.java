package dev.prefork.master.admin;

import dev.prefork.core.config.BindAddress;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;

/** Admin HTTP: GET /metrics, /healthz, /readyz. TODO(H2b): implement. */
public final class AdminServer implements AutoCloseable {

    /** Binds and serves; throws {@link dev.prefork.master.net.BindException} if the address cannot be bound. */
    public static AdminServer start(BindAddress address, PrometheusMeterRegistry registry,
                                    BooleanSupplier healthy, BooleanSupplier ready) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return 0;
    }

    @Override
    public void close() {
    }
}
