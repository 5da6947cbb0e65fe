package dev.prefork.core;

/**
 * Exit codes are an API: scripts, systemd and Kubernetes act on them.
 *
 * <p>Master codes follow the contract. Worker codes tell the master why a worker ended, so that a worker that
 * cannot boot stops the pool instead of being respawned forever (Gunicorn's WORKER_BOOT_ERROR).
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** Master: clean stop. */
    public static final int OK = 0;
    /** Master: unexpected runtime failure. */
    public static final int RUNTIME_FAILURE = 1;
    /** Master: bad usage or configuration. */
    public static final int USAGE = 2;
    /** Master: workers fail to boot; the master halts instead of respawning forever. */
    public static final int BOOT_FAILURE = 3;
    /** Master: cannot bind a listen address (in use, permission). */
    public static final int CANNOT_BIND = 4;

    /** Worker: clean exit after a drain or a stop. */
    public static final int WORKER_OK = 0;
    /** Worker: the application could not be loaded or its init threw. The master halts with {@link #BOOT_FAILURE}. */
    public static final int WORKER_BOOT_ERROR = 3;
    /** Worker: the master went away (control socket EOF or parent changed). */
    public static final int WORKER_ORPHANED = 5;
    /** Worker: authentication or fd hand-over with the master failed. */
    public static final int WORKER_HANDSHAKE_FAILED = 6;
}
