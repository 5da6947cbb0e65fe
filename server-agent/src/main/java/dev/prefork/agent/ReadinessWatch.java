package dev.prefork.agent;

import dev.prefork.agent.os.Posix;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Detects, during boot only, when the application's server accepts on the passed socket (under whatever fd
 * number: the JDK's inherited channel is a dup of fd 0): a thread blocked in accept(2) on it or in poll(2) for
 * it (Tomcat, Jetty), or an epoll set watching it (Netty, Micronaut), read from /proc/self by the JNI library
 * every 50 ms. Also detects a server that binds a port of its own instead: a listening TCP socket
 * that was not there when the agent started (JMX, JDWP are) and is not ours.
 */
final class ReadinessWatch implements Runnable {
    /**
     * A scan costs ~0.35 ms of CPU with 45 threads, and at a 10 ms period it slowed a Spring Boot boot by 0.5-2 s
     * of wall time on a loaded 2-core machine. Connections queue in the backlog meanwhile, so a late Ready only
     * delays the master's bookkeeping; Spring Boot's glue reports Ready at once anyway.
     */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** An own listener may be a side server that starts first; give ours this long to be taken too. */
    static final long OWN_LISTENER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ExecWorker worker;
    private final InheritedListeners listeners;
    private final Set<Long> notTheApps = new HashSet<>();

    ReadinessWatch(ExecWorker worker, InheritedListeners listeners) throws IOException {
        this.worker = worker;
        this.listeners = listeners;
        // Listeners that exist before main (JMX, JDWP, ours) are not the application's server.
        for (long inode : Posix.listeningInetSockets()) {
            notTheApps.add(inode);
        }
        notTheApps.add(listeners.inode());
    }

    @Override
    public void run() {
        long ownListenerSince = 0;
        try {
            while (worker.state() == AgentState.BOOTING) {
                if (Posix.acceptingOn(listeners.inode())) {
                    worker.onAccepting("a thread of the application waits to accept on");
                    return;
                }
                long own = ownListener();
                if (own == 0) {
                    ownListenerSince = 0;
                } else if (ownListenerSince == 0) {
                    ownListenerSince = System.nanoTime();
                } else if (System.nanoTime() - ownListenerSince >= OWN_LISTENER_GRACE_NANOS) {
                    worker.onOwnListener(own);
                    return;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        } catch (IOException | RuntimeException e) {
            AgentLog.info("readiness detection failed (" + e + "); the master's --boot-timeout decides");
        }
    }

    private long ownListener() throws IOException {
        for (long inode : Posix.listeningInetSockets()) {
            if (!notTheApps.contains(inode)) {
                return inode;
            }
        }
        return 0;
    }
}
