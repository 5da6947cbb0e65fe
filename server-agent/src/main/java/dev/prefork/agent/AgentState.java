package dev.prefork.agent;

/** The exec worker's life as the agent sees it. */
enum AgentState {
    /** Handshake done; the application is starting and does not accept on the passed socket yet. */
    BOOTING,
    /** The application accepts on the passed socket; Ready sent, heartbeats running. */
    READY,
    /** Drain received: the listener is being closed and the application shut down gracefully. */
    DRAINING,
    /** Leaving: halting or exiting; nothing more is sent. */
    GONE;

    boolean canMoveTo(AgentState next) {
        return switch (this) {
            case BOOTING -> next == READY || next == DRAINING || next == GONE;
            case READY -> next == DRAINING || next == GONE;
            case DRAINING -> next == GONE;
            case GONE -> false;
        };
    }
}
