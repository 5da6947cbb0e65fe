package dev.prefork.master.net;

import dev.prefork.core.config.BindAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code --bind unix:/path} socket file: a stale file is removed only when nothing answers a connect on it
 * (never a socket another live server owns), the new socket gets its mode and owner before it listens (so nobody
 * connects through wider permissions), and at exit the file is removed only if it is still the one we bound (same
 * inode: a successor may have replaced it).
 */
final class UnixSocketFile {
    private static final Logger log = LoggerFactory.getLogger(UnixSocketFile.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final BindAddress address;
    private final Path path;
    private final Socket socket;
    private final Object inode;

    private UnixSocketFile(BindAddress address, Path path, Socket socket, Object inode) {
        this.address = address;
        this.path = path;
        this.socket = socket;
        this.inode = inode;
    }

    /**
     * Binds and listens on {@code address}'s path.
     *
     * @param mode  permission bits, e.g. {@code 0660}
     * @param owner {@code user}, {@code user:group}, {@code :group}, or null to keep the master's
     * @throws BindException when the path is in use by a live server, is not a socket, or cannot be bound
     */
    static UnixSocketFile listen(BindAddress address, int mode, String owner, int backlog) {
        Path path = Path.of(address.unixPath());
        removeIfStale(address, path);
        Socket socket = Socket.newSocketDomain();
        String step = "bind";
        try {
            socket.bind(new DomainSocketAddress(path.toString()));
            step = "chmod";
            Files.setPosixFilePermissions(path, permissions(mode));
            if (owner != null) {
                step = "chown " + owner;
                chown(path, owner);
            }
            Object inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            step = "listen";
            socket.listen(backlog);
            return new UnixSocketFile(address, path, socket, inode);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            if (!step.equals("bind")) {
                deleteQuietly(path);
            }
            throw failure(address, step, e);
        }
    }

    Socket socket() {
        return socket;
    }

    /** Closes the master's copy and removes the file if it is still ours. Workers' copies stay open. */
    void closeAndRemove() {
        closeQuietly(socket);
        try {
            if (inode.equals(Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                Files.delete(path);
                log.info("removed socket file {}", path);
            } else {
                log.warn("not removing {}: it is no longer the socket this master bound (replaced by another server)", path);
            }
        } catch (NoSuchFileException gone) {
            log.debug("socket file {} was already removed", path);
        } catch (IOException e) {
            log.warn("cannot remove socket file {}: {}; remove it by hand", path, e.toString());
        }
    }

    /**
     * A file at the path is removed only if it is a socket and a connect on it is refused (nobody listens). A live
     * server, a full backlog (EAGAIN) or any doubt leaves it alone and fails the bind.
     */
    private static void removeIfStale(BindAddress address, Path path) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new BindException("--bind " + address + ": cannot inspect the existing file (" + e
                    + "); check the directory's permissions", e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new BindException("--bind " + address + ": the path exists and is not a socket; remove it or"
                    + " choose another path", null);
        }
        Socket probe = Socket.newSocketDomain();
        try {
            probe.connect(new DomainSocketAddress(path.toString()));
            // Connected (or in progress): a server is accepting there.
            throw new BindException("--bind " + address + ": another live server listens on this socket (a connect"
                    + " succeeded); stop it or choose another path", null);
        } catch (ConnectException e) {
            if (!String.valueOf(e.getMessage()).contains("Connection refused")) {
                throw new BindException("--bind " + address + ": the socket file exists and a test connect failed with "
                        + e.getMessage() + " (a busy server?); it is left alone: stop its server or remove it by hand", e);
            }
        } catch (IOException e) {
            if (!(e.getMessage() != null && e.getMessage().contains("No such file"))) {
                throw new BindException("--bind " + address + ": cannot test the existing socket file (" + e.getMessage()
                        + "); it is left alone: remove it by hand if no server uses it", e);
            }
            return;
        } finally {
            closeQuietly(probe);
        }
        deleteQuietly(path);
        log.warn("removed stale socket file {}: nothing answered a connect on it", path);
    }

    private static void chown(Path path, String owner) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        UserPrincipalLookupService names = FileSystems.getDefault().getUserPrincipalLookupService();
        int colon = owner.indexOf(':');
        String user = colon < 0 ? owner : owner.substring(0, colon);
        String group = colon < 0 ? "" : owner.substring(colon + 1);
        if (!user.isEmpty()) {
            view.setOwner(names.lookupPrincipalByName(user));
        }
        if (!group.isEmpty()) {
            view.setGroup(names.lookupPrincipalByGroupName(group));
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    private static BindException failure(BindAddress address, String step, Exception e) {
        if (step.equals("bind") && e instanceof IOException) {
            return ListenerSet.bindFailure(address, step, (IOException) e);
        }
        return new BindException("--bind " + address + ": " + step + " failed (" + e.getMessage()
                + "); check --bind-unix-mode/--bind-unix-owner and the directory's permissions", e);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", path, e.toString());
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing socket fd {} failed: {}", socket.intValue(), e.toString());
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
