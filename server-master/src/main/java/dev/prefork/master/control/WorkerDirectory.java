package dev.prefork.master.control;

/**
 * The supervisor's answer to "may this peer have the listening sockets?". Called on the control server's
 * event loop for every {@code Hello}; implementations must be thread-safe and fast.
 */
public interface WorkerDirectory {

    /**
     * @param workerId the id the peer claims
     * @param secret   the secret the peer presented
     * @param peerPid  SO_PEERCRED pid
     * @param peerUid  SO_PEERCRED uid
     * @return the fds to pass on acceptance, or the reason for refusal
     */
    Admission admit(int workerId, String secret, int peerPid, int peerUid);

    /** Outcome of {@link #admit}. */
    sealed interface Admission {
        record Accepted(int[] listenFds) implements Admission {
        }

        /** {@code reason} is a metric tag value: unknown_worker, wrong_pid, wrong_uid, bad_secret, replay. */
        record Rejected(String reason, String detail) implements Admission {
        }
    }
}
