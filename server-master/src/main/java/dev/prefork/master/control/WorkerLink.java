package dev.prefork.master.control;

import dev.prefork.core.control.ControlMessage;

/** The master's end of one authenticated worker's control connection. Thread-safe. */
public interface WorkerLink {
    /** Sends a frame (Drain, Stop); a closed link drops it silently. */
    void send(ControlMessage.FromMaster message);

    void close();

    /** SO_PEERCRED pid of the connected worker JVM (for an exec worker maybe a descendant of the spawned pid); -1 unknown. */
    default long peerPid() {
        return -1;
    }
}
