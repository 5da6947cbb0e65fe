package dev.prefork.worker.runtime;

/** Ends this JVM. */
public final class JvmProcessExit implements ProcessExit {
    /** A shutdown hook that hangs must not keep a drained worker alive. */
    private static final long EXIT_WATCHDOG_MILLIS = 5_000;

    @Override
    public void halt(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    @Override
    public void exit(int status) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(EXIT_WATCHDOG_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            halt(status);
        }, "prefork-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(status);
    }
}
