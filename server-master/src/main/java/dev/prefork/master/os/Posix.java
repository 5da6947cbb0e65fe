package dev.prefork.master.os;

/**
 * The few POSIX calls the master needs, behind an interface so that the supervisor can be tested with a fake.
 * The real implementation ({@link JnrPosix}) is the only place that loads jnr; workers never load it.
 * Never add {@code signal()} here: jnr's raw handlers crashed the JVM under a signal storm; use
 * {@code sun.misc.Signal}. Never add {@code waitpid(-1)}: it steals the JDK's exit statuses.
 */
public interface Posix {
    int SIGINT = 2;
    int SIGQUIT = 3;
    int SIGKILL = 9;
    int SIGTERM = 15;

    long getpid();

    int getuid();

    /** kill(2). Throws {@link OsException} naming the call, pid and errno; ESRCH (already gone) returns false. */
    boolean kill(long pid, int signal);

    /**
     * waitpid(pid, WNOHANG) on one pid only: true when that child had exited and is now reaped.
     * Call it only for children the master did not spawn through the JDK.
     */
    boolean reapIfExited(long pid);

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below the master are re-parented to it. False if refused. */
    boolean setChildSubreaper();

    /**
     * fcntl(F_SETFL, flags | O_NONBLOCK) on an fd the master did not open (systemd's sockets come blocking, and an
     * epoll acceptor on a blocking socket shared by several workers blocks in accept). Throws {@link OsException}.
     */
    void setNonBlocking(int fd);
}
