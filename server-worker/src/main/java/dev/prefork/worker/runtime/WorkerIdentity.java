package dev.prefork.worker.runtime;

/** Who this worker is, as every log line names it: {@code worker 3 (pid 1234)}. */
record WorkerIdentity(int workerId, long pid) {
    @Override
    public String toString() {
        return "worker " + workerId + " (pid " + pid + ")";
    }
}
