package dev.prefork.worker.runtime;

/** The parts of a serving worker a drain steps through; a seam so the drain logic can be tested alone. */
interface ServingControl {
    /** Closes this process's listening channels (other processes' copies of the sockets stay open). */
    void stopAccepting();

    /** Responses close their connections from now on; idle connections close now. */
    void closeConnectionsWhenIdle();

    int openConnections();

    void closeAllConnections();

    /** Calls the application's close, logging (not throwing) its failure. */
    void closeApplication();
}
