package dev.prefork.master;

import dev.prefork.core.config.ServerConfig;
import dev.prefork.master.cli.MasterCli;
import java.util.function.Consumer;

/** The CLI: {@code java -cp APP_CLASSPATH dev.prefork.master.Main [OPTIONS] APP_CLASS}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, null, b -> { }));
    }

    /**
     * Parses options (flag &gt; env &gt; file &gt; default), runs the master until it stops, returns the exit code.
     *
     * @param defaultAppClass the application when no APP_CLASS is given (the example jar passes its app), or null
     * @param customizer      applied to the builder before options, e.g. to add worker system properties
     */
    public static int execute(String[] args, String defaultAppClass, Consumer<ServerConfig.Builder> customizer) {
        return new MasterCli(System::getenv, System.out, System.err, (config, reloader) -> LinuxInfrastructure.master(config, reloader, MasterHooks.NONE).run())
                .execute(args, defaultAppClass, customizer);
    }
}
