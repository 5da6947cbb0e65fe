package dev.prefork.worker.runtime;

/** What the master (or a signal) can ask of the worker. Implementations hop to their own thread. */
interface WorkerCommands {
    /** Stop accepting when the order says, finish the connections, close the application, exit 0. */
    void drain(DrainOrder order);

    /**
     * A standby takes worker slot {@code slot}: serve the {@code socketGroup}-th group of the listening sockets it
     * received, close its copies of the others, report Ready.
     */
    void activate(int slot, int socketGroup);

    /** Exit now. */
    void stop(String reason);

    /** The control connection is gone: the master died. Exit now. */
    void controlLost(String reason);
}
