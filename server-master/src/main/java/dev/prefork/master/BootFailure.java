package dev.prefork.master;

/** Where a worker's failure to boot goes: the arbiter halts the master with exit code 3. */
@FunctionalInterface
public interface BootFailure {
    void bootFailed(WorkerHandle h, String why);
}
