package dev.prefork.examples;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The example jar's main: the Prefork master serving {@link ExampleApp}. Takes the master's options plus
 * {@code --example-crash-endpoint}, which enables {@code GET /crash} in the workers, and
 * {@code --example-leak-endpoint}, which enables {@code GET /leak?mb=N} (keeps N MiB of heap for good).
 */
public final class ExampleServer {
    static final String CRASH_FLAG = "--example-crash-endpoint";
    static final String LEAK_FLAG = "--example-leak-endpoint";

    private ExampleServer() {
    }

    public static void main(String[] args) {
        List<String> masterArgs = new ArrayList<>(args.length);
        boolean crashEndpoint = false;
        boolean leakEndpoint = false;
        for (String arg : args) {
            if (arg.equals(CRASH_FLAG)) {
                crashEndpoint = true;
            } else if (arg.equals(LEAK_FLAG)) {
                leakEndpoint = true;
            } else {
                masterArgs.add(arg);
            }
        }
        boolean enableCrash = crashEndpoint;
        boolean enableLeak = leakEndpoint;
        Consumer<ServerConfig.Builder> customizer = builder -> {
            if (enableCrash) {
                builder.workerSystemProperty(ExampleApp.CRASH_ENDPOINT_PROPERTY, "true");
            }
            if (enableLeak) {
                builder.workerSystemProperty(ExampleApp.LEAK_ENDPOINT_PROPERTY, "true");
            }
        };
        System.exit(Main.execute(masterArgs.toArray(new String[0]), ExampleApp.class.getName(), customizer));
    }
}
