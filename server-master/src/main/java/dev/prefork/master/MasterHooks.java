package dev.prefork.master;

import dev.prefork.core.config.ServerConfig;

/**
 * Callbacks on the master's side, Gunicorn's server hooks as a typed interface. Every method has a no-op
 * default: implement only what you need. They run on the supervision thread (except {@link #onStarting} and
 * {@link #onExit}, which run on the thread that runs the master), so keep them short: a slow hook delays
 * supervision. A hook that throws is logged and ignored; it never stops the master.
 */
public interface MasterHooks {
    /** No hooks. */
    MasterHooks NONE = new MasterHooks() {
    };

    /** Before anything is bound or spawned (Gunicorn's {@code on_starting}). */
    default void onStarting(MasterInfo master) {
    }

    /** Once, when the whole pool is first ready (Gunicorn's {@code when_ready}). */
    default void whenReady(MasterInfo master) {
    }

    /** Just before a worker JVM is started; {@code worker.pid()} is -1 (Gunicorn's {@code pre_fork}). */
    default void preFork(WorkerInfo worker) {
    }

    /**
     * Just after a worker JVM was started, in the master (Gunicorn's {@code post_fork} runs in the worker; a
     * worker's own start-up code belongs in {@code Application.init}).
     */
    default void postFork(WorkerInfo worker) {
    }

    /** A worker process exited, for whatever reason (Gunicorn's {@code worker_exit}/{@code child_exit}). */
    default void workerExit(WorkerExit exit) {
    }

    /** HUP: the configuration was re-read and the rolling reload begins (Gunicorn's {@code on_reload}). */
    default void onReload(Reload reload) {
    }

    /** The planned pool size changed: TTIN, TTOU or a reload (Gunicorn's {@code nworkers_changed}). */
    default void nworkersChanged(WorkersChanged change) {
    }

    /** The master is about to return its exit code (Gunicorn's {@code on_exit}). */
    default void onExit(int exitCode) {
    }

    /** The master: its pid and configuration. */
    record MasterInfo(long pid, ServerConfig config) {
    }

    /**
     * A worker: its id (unique per master run), its listener slot, its configuration generation (bumped by each
     * HUP) and its pid (-1 before it exists).
     */
    record WorkerInfo(int id, int slot, long generation, long pid) {
    }

    /**
     * @param exitCode the process's exit code (128 + signal when killed by one)
     * @param expected true when the master had told it to go (drain, stop, shrink, roll); false for a crash
     */
    record WorkerExit(WorkerInfo worker, int exitCode, boolean expected) {
    }

    /** @param generation the new configuration generation the workers roll to */
    record Reload(long generation, ServerConfig config) {
    }

    record WorkersChanged(int from, int to) {
    }
}
