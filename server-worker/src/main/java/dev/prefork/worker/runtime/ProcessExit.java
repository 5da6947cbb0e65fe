package dev.prefork.worker.runtime;

/** How the worker ends its process; a seam so that the decisions can be tested without ending the JVM. */
public interface ProcessExit {
    /** Ends the process now, without shutdown hooks (the master died, or told the worker to stop). */
    void halt(int status);

    /** Ends the process after shutdown hooks (e.g. a logging framework flushing), bounded in time. */
    void exit(int status);
}
