package dev.prefork.examples;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The example jar's main: the Prefork master serving {@link ExampleApp}. Takes the master's options plus
 * {@code --example-crash-endpoint}, which enables {@code GET /crash} in the workers.
 */
public final class ExampleServer {
    static final String CRASH_FLAG = "--example-crash-endpoint";

    private ExampleServer() {
    }

    public static void main(String[] args) {
        List<String> masterArgs = new ArrayList<>(args.length);
        boolean crashEndpoint = false;
        for (String arg : args) {
            if (arg.equals(CRASH_FLAG)) {
                crashEndpoint = true;
            } else {
                masterArgs.add(arg);
            }
        }
        boolean enableCrash = crashEndpoint;
        Consumer<ServerConfig.Builder> customizer = builder -> {
            if (enableCrash) {
                builder.workerSystemProperty(ExampleApp.CRASH_ENDPOINT_PROPERTY, "true");
            }
        };
        System.exit(Main.execute(masterArgs.toArray(new String[0]), ExampleApp.class.getName(), customizer));
    }
}
