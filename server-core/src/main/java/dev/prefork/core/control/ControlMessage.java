package dev.prefork.core.control;

/**
 * Messages on the master-worker control socket. The exchange:
 * <ol>
 *   <li>worker connects (its read mode set to file descriptors) and sends {@link Hello};</li>
 *   <li>the master checks SO_PEERCRED (uid, pid) and the secret, then sends the listening sockets, fds only
 *       (SCM_RIGHTS), and no bytes until step 3 — the worker cannot read bytes in fd mode;</li>
 *   <li>worker switches to byte mode and sends {@link SocketsReceived}; from here both sides send frames;</li>
 *   <li>worker sends {@link Ready} once it accepts, then {@link Heartbeat}s; it may send {@link BootFailed};
 *       a standby (started with standby socket groups) sends {@link StandingBy} instead of Ready, heartbeats, and
 *       sends Ready once the master's {@link Activate} made it accept;</li>
 *   <li>master sends {@link Drain} (graceful) or {@link Stop} (now).</li>
 * </ol>
 */
public sealed interface ControlMessage {

    /** What a worker may send: the compiler keeps the master's messages out of a worker's sends. */
    sealed interface FromWorker extends ControlMessage {
    }

    /** What a worker reports once it is connected (after the handshake's Hello and SocketsReceived). */
    sealed interface Report extends FromWorker {
    }

    /** What the master may send. */
    sealed interface FromMaster extends ControlMessage {
    }

    /** Worker to master: who I am; the secret came to the worker on its stdin. */
    record Hello(int workerId, String secret) implements FromWorker {
    }

    /** Worker to master: the listening sockets arrived; switch to frames. */
    record SocketsReceived(int count) implements FromWorker {
    }

    /** Worker to master: the application is initialised and the worker accepts connections. */
    record Ready() implements Report {
    }

    /**
     * Worker to master, periodically, from the control thread only when every event loop has ticked: liveness,
     * and how long its slowest event loop has gone without running its tick task. Every figure (requests, bytes,
     * the JVM's) is in the worker's segment, which the master reads at scrape time.
     */
    record Heartbeat(long maxLoopLagMillis) implements Report {
    }

    /**
     * Worker to master: the TLS certificate it now serves to new connections expires at this instant (epoch
     * seconds); sent once it serves and again after each certificate rotation.
     */
    record CertificateServed(long notAfterEpochSeconds) implements Report {
    }

    /**
     * Worker to master, from a standby: the application is initialised and the worker holds its listening sockets
     * but does not accept; it serves once the master sends {@link Activate}.
     */
    record StandingBy() implements Report {
    }

    /** Worker to master: the application could not start; the worker exits with the boot-error code. */
    record BootFailed(String reason) implements Report {
    }

    /** Worker to master: it served its max-requests and asks to be recycled (the master paces recycling). */
    record RecycleRequest(long requestsServed) implements Report {
    }

    /**
     * Master to worker: keep accepting for {@code acceptForMillis}, then stop accepting, finish in-flight
     * requests, close, exit; whatever is still open {@code finishWithinMillis} after the master sent this is
     * closed (the master SIGKILLs the worker at that same deadline). Both are durations from the send, not clock
     * readings, so the deadline means the same in both processes; the master computes it once
     * (drain delay + graceful timeout on TERM).
     */
    record Drain(long acceptForMillis, long finishWithinMillis) implements FromMaster {
        public Drain {
            if (acceptForMillis < 0 || finishWithinMillis < acceptForMillis) {
                throw new IllegalArgumentException("Drain needs 0 <= acceptForMillis <= finishWithinMillis, got "
                        + acceptForMillis + " and " + finishWithinMillis);
            }
        }
    }

    /**
     * Master to a standby: take worker slot {@code slot} and accept from the {@code socketGroup}-th group of the
     * listening sockets passed at the handshake (one group per slot with reuse-port, else the one shared group);
     * close the other groups' copies. The worker answers {@link Ready}.
     */
    record Activate(int slot, int socketGroup) implements FromMaster {
        public Activate {
            if (slot < 0 || socketGroup < 0) {
                throw new IllegalArgumentException("Activate needs slot >= 0 and socketGroup >= 0, got " + slot
                        + " and " + socketGroup);
            }
        }
    }

    /** Master to worker: exit now. */
    record Stop() implements FromMaster {
    }
}
