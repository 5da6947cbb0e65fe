package dev.prefork.worker;

import dev.prefork.worker.runtime.JvmProcessExit;
import dev.prefork.worker.runtime.WorkerRuntime;

/**
 * The worker JVM's entry point. The master starts it as
 * {@code java <opts> -cp <app classpath> dev.prefork.worker.WorkerMain <WorkerSettings.toArgs()>} and writes
 * the worker's secret and a newline to its stdin. Not meant to be run by hand.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        WorkerRuntime.run(args, System.in, new JvmProcessExit());
    }
}
