package dev.prefork.master.supervisor;

/** Where a worker's failure to boot goes: the arbiter halts the master with exit code 3. */
@FunctionalInterface
interface BootFailure {
    void bootFailed(WorkerHandle h, String why);
}
