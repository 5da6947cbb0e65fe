package dev.prefork.master.control;

import dev.prefork.core.control.ControlMessage;

/** What the control server reports about authenticated workers. Called on the control event loop: enqueue only. */
public interface ControlEvents {
    /** The worker authenticated and confirmed receipt of its sockets ({@code SocketsReceived}). */
    void connected(int workerId, WorkerLink link);

    /** A frame from an authenticated worker (Ready, Heartbeat, BootFailed, RecycleRequest, CertificateServed, StandingBy). */
    void message(int workerId, ControlMessage.Report message);

    /** The authenticated worker's control connection closed. */
    void disconnected(int workerId);
}
