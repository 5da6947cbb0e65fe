package dev.prefork.examples.jetty;

import java.util.Map;

/** The example's command line: {@code --host H --port N --stop-timeout SECONDS --max-threads N}, each also an env var. */
record Options(String host, int port, long stopTimeoutMillis, int maxThreads) {

    static Options parse(String[] args) {
        return parse(args, System.getenv());
    }

    static Options parse(String[] args, Map<String, String> env) {
        String host = env.getOrDefault("HOST", "0.0.0.0");
        String port = env.getOrDefault("PORT", "8080");
        String stopTimeout = env.getOrDefault("STOP_TIMEOUT", "30");
        String maxThreads = env.getOrDefault("MAX_THREADS", "200");
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--host" -> host = value;
                case "--port" -> port = value;
                case "--stop-timeout" -> stopTimeout = value;
                case "--max-threads" -> maxThreads = value;
                default -> throw new IllegalArgumentException(
                        "unknown option " + name + "; known: --host, --port, --stop-timeout, --max-threads");
            }
        }
        return new Options(host, number("port", port), number("stop-timeout", stopTimeout) * 1000L,
                number("max-threads", maxThreads));
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'", e);
        }
    }
}
