package dev.prefork.master.net;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd socket activation (sd_listen_fds(3)): when {@code LISTEN_PID} is this master's pid, the
 * {@code LISTEN_FDS} sockets at fds 3, 4, ... are served instead of binding {@code --bind}, as Gunicorn does.
 * {@code LISTEN_PID} naming another process means the variables were inherited, not meant for us: they are
 * ignored. Workers never see the variables ({@link #ENV_VARS} are removed from every child's environment).
 */
public final class SystemdSockets {
    private static final Logger log = LoggerFactory.getLogger(SystemdSockets.class);
    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    /** What a child of the master must not inherit. */
    public static final List<String> ENV_VARS = List.of(LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES);
    /** SD_LISTEN_FDS_START. */
    static final int FIRST_FD = 3;
    private static final int MAX_FDS = 64;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_UNIX = 1;

    private SystemdSockets() {
    }

    /**
     * The activated sockets, made non-blocking with {@code setNonBlocking}, or null when this master was not
     * socket-activated.
     *
     * @throws BindException when the variables name this master but an fd is not a listening stream socket
     */
    public static ListenerSet adopt(Map<String, String> env, long ownPid, IntConsumer setNonBlocking) {
        String pid = env.get(LISTEN_PID);
        String fds = env.get(LISTEN_FDS);
        if (pid == null || fds == null) {
            return null;
        }
        if (!pid.trim().equals(Long.toString(ownPid))) {
            log.info("ignoring systemd socket activation: LISTEN_PID={} is not this master (pid {})", pid, ownPid);
            return null;
        }
        int count;
        try {
            count = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            throw new BindException("systemd socket activation: LISTEN_FDS=" + fds + " is not a number of sockets;"
                    + " check the service's socket unit", e);
        }
        if (count < 1 || count > MAX_FDS) {
            throw new BindException("systemd socket activation: LISTEN_FDS=" + fds + " is outside 1.." + MAX_FDS
                    + "; check the service's socket unit", null);
        }
        Epoll.ensureAvailability(); // loads the native library Socket needs
        String[] fdNames = env.getOrDefault(LISTEN_FDNAMES, "").split(":");
        List<Socket> sockets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int fd = FIRST_FD + i;
            Socket socket;
            try {
                socket = new Socket(fd);
            } catch (RuntimeException e) {
                throw new BindException("systemd socket activation: fd " + fd + " is not a socket (" + e.getMessage()
                        + "); LISTEN_FDS counts more fds than were passed?", e);
            }
            names.add(describe(socket, fd, i < fdNames.length ? fdNames[i] : ""));
            setNonBlocking.accept(fd);
            sockets.add(socket);
        }
        ListenerSet set = ListenerSet.adopt(sockets, names);
        log.info("systemd socket activation: serving {} inherited socket(s), --bind and --reuse-port do not apply: {}",
                count, String.join(", ", names));
        return set;
    }

    /**
     * {@code builder} without the activation variables: a child that found {@code LISTEN_PID} equal to its own pid
     * (pids are reused) would take fds 3.. for systemd's sockets.
     */
    public static ProcessBuilder withoutActivationEnv(ProcessBuilder builder) {
        builder.environment().keySet().removeAll(ENV_VARS);
        return builder;
    }

    private static String describe(Socket socket, int fd, String name) {
        try {
            if (socket.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM || socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) != 1) {
                throw new BindException("systemd socket activation: fd " + fd + " is not a listening stream socket;"
                        + " use ListenStream= in the socket unit (not ListenDatagram=, and not Accept=yes)", null);
            }
            String address = socket.getIntOpt(SOL_SOCKET, SO_DOMAIN) == AF_UNIX
                    ? "unix:" + socket.localDomainSocketAddress().path()
                    : String.valueOf(socket.localAddress());
            return "fd " + fd + (name.isEmpty() ? "" : " '" + name + "'") + " (" + address + ")";
        } catch (IOException e) {
            throw new BindException("systemd socket activation: fd " + fd + " is not a socket (" + e.getMessage()
                    + "); LISTEN_FDS counts more fds than systemd passed?", e);
        }
    }
}
