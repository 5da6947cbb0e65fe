package dev.prefork.master.supervisor;

/** The signals the master handles (QUIT stays the JVM's: it prints the master's thread dump). */
public enum MasterSignal {
    /** Graceful stop. */
    TERM,
    /** Fast stop. */
    INT,
    /** Rolling reload. */
    HUP,
    /** One worker more. */
    TTIN,
    /** One worker fewer. */
    TTOU,
    /** A child changed state: scan for zombies. */
    CHLD
}
