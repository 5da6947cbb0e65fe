package dev.prefork.worker.runtime;

import java.util.concurrent.CompletionStage;

/** The parts of a serving worker a drain steps through; a seam so the drain logic can be tested alone. */
interface ServingControl {
    /**
     * Serves what the accept backlog already holds, then closes this process's listening channels (other
     * processes' copies of the sockets stay open).
     *
     * @return completes with the number of connections taken from the backlog
     */
    CompletionStage<Integer> stopAccepting();

    /**
     * Every later response carries {@code Connection: close} and closes its connection. Idle keep-alive
     * connections are not closed now: a client may be sending on one at this very moment. They close at their
     * keep-alive timeout, or with the rest when the graceful timeout passes.
     */
    void answerWithConnectionClose();

    int openConnections();

    void closeAllConnections();

    /** Calls the application's close, logging (not throwing) its failure. */
    void closeApplication();
}
