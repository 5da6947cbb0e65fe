/*
 * The Prefork agent's system calls (JNI, class dev.prefork.agent.os.Posix). Kept tiny: loading it costs ~3 ms,
 * where jnr costs ~300 ms of a worker's boot. Every failure throws java.io.IOException naming the call and errno.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define SYS_POLL 7
#define SYS_ACCEPT 43
#define SYS_PPOLL 271
#define SYS_ACCEPT4 288
#define MAX_FDS_PER_MESSAGE 16

static void throw_io(JNIEnv *env, const char *call, int err) {
    char message[256];
    snprintf(message, sizeof message, "%s failed: %s (errno %d)", call, strerror(err), err);
    jclass cls = (*env)->FindClass(env, "java/io/IOException");
    if (cls != NULL) {
        (*env)->ThrowNew(env, cls, message);
    }
}

static void throw_io_fd(JNIEnv *env, const char *call, int fd, int err) {
    char what[64];
    snprintf(what, sizeof what, "%s(fd %d)", call, fd);
    throw_io(env, what, err);
}

JNIEXPORT jbyteArray JNICALL Java_dev_prefork_agent_os_Posix_readLine(JNIEnv *env, jclass cls, jint fd, jint max) {
    char *buf = malloc(max > 0 ? (size_t) max : 1);
    if (buf == NULL) {
        throw_io(env, "malloc", ENOMEM);
        return NULL;
    }
    int n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            int err = errno;
            free(buf);
            throw_io_fd(env, "read", fd, err);
            return NULL;
        }
        if (r == 0) {
            free(buf);
            throw_io_fd(env, "read (end of file before a newline)", fd, ENODATA);
            return NULL;
        }
        if (c == '\n') {
            break;
        }
        if (n == max) {
            free(buf);
            throw_io_fd(env, "read (line too long)", fd, EMSGSIZE);
            return NULL;
        }
        buf[n++] = c;
    }
    jbyteArray out = (*env)->NewByteArray(env, n);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *) buf);
    }
    free(buf);
    return out;
}

JNIEXPORT jint JNICALL Java_dev_prefork_agent_os_Posix_connectUnix(JNIEnv *env, jclass cls, jstring path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return -1;
    }
    size_t len = strlen(p);
    if (len >= sizeof addr.sun_path) {
        (*env)->ReleaseStringUTFChars(env, path, p);
        throw_io(env, "connect(AF_UNIX path longer than 107 bytes)", ENAMETOOLONG);
        return -1;
    }
    memcpy(addr.sun_path, p, len);
    (*env)->ReleaseStringUTFChars(env, path, p);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw_io(env, "socket(AF_UNIX)", errno);
        return -1;
    }
    int r;
    do {
        r = connect(fd, (struct sockaddr *) &addr, sizeof addr);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        int err = errno;
        close(fd);
        throw_io(env, "connect(AF_UNIX control socket)", err);
        return -1;
    }
    return fd;
}

JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_sendAll(JNIEnv *env, jclass cls, jint fd, jbyteArray bytes,
                                                               jint off, jint len) {
    jbyte *b = (*env)->GetByteArrayElements(env, bytes, NULL);
    if (b == NULL) {
        return;
    }
    int done = 0;
    while (done < len) {
        ssize_t w = send(fd, b + off + done, (size_t) (len - done), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            int err = errno;
            (*env)->ReleaseByteArrayElements(env, bytes, b, JNI_ABORT);
            throw_io_fd(env, "send", fd, err);
            return;
        }
        done += (int) w;
    }
    (*env)->ReleaseByteArrayElements(env, bytes, b, JNI_ABORT);
}

JNIEXPORT jint JNICALL Java_dev_prefork_agent_os_Posix_recv(JNIEnv *env, jclass cls, jint fd, jbyteArray bytes,
                                                            jint off, jint len) {
    char buf[4096];
    if (len > (jint) sizeof buf) {
        len = sizeof buf;
    }
    ssize_t r;
    do {
        r = recv(fd, buf, (size_t) len, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        throw_io_fd(env, "recv", fd, errno);
        return -1;
    }
    (*env)->SetByteArrayRegion(env, bytes, off, (jsize) r, (const jbyte *) buf);
    return (jint) r;
}

/* One recvmsg with a one-byte buffer: the master sends each fd with one data byte and no frame bytes until the
 * worker answers, so nothing but fds is consumed. Returns the fds (FD_CLOEXEC set), or NULL at end of file. */
JNIEXPORT jintArray JNICALL Java_dev_prefork_agent_os_Posix_recvFds(JNIEnv *env, jclass cls, jint fd) {
    char data;
    struct iovec iov = {.iov_base = &data, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_MESSAGE)];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    ssize_t r;
    do {
        r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        throw_io_fd(env, "recvmsg(SCM_RIGHTS)", fd, errno);
        return NULL;
    }
    if (r == 0) {
        return NULL;
    }
    int fds[MAX_FDS_PER_MESSAGE];
    int count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *received = (int *) CMSG_DATA(c);
            for (int i = 0; i < n && count < MAX_FDS_PER_MESSAGE; i++) {
                fds[count++] = received[i];
            }
        }
    }
    if (msg.msg_flags & MSG_CTRUNC) {
        for (int i = 0; i < count; i++) {
            close(fds[i]);
        }
        throw_io_fd(env, "recvmsg(SCM_RIGHTS: control data truncated)", fd, EMSGSIZE);
        return NULL;
    }
    jintArray out = (*env)->NewIntArray(env, count);
    if (out != NULL) {
        (*env)->SetIntArrayRegion(env, out, 0, count, fds);
    }
    return out;
}

JNIEXPORT jint JNICALL Java_dev_prefork_agent_os_Posix_dup(JNIEnv *env, jclass cls, jint fd) {
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (r < 0) {
        throw_io_fd(env, "fcntl(F_DUPFD_CLOEXEC)", fd, errno);
    }
    return r;
}

/* dup2 clears FD_CLOEXEC on the target: fd 0 and fd N are the application's, like an inetd socket. */
JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_dup2(JNIEnv *env, jclass cls, jint from, jint to) {
    int r;
    do {
        r = dup2(from, to);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        char what[64];
        snprintf(what, sizeof what, "dup2(fd %d, fd %d)", from, to);
        throw_io(env, what, errno);
    }
}

JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_close(JNIEnv *env, jclass cls, jint fd) {
    if (close(fd) < 0 && errno != EINTR) {
        throw_io_fd(env, "close", fd, errno);
    }
}

JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_shutdownInput(JNIEnv *env, jclass cls, jint fd) {
    if (shutdown(fd, SHUT_RD) < 0) {
        throw_io_fd(env, "shutdown(SHUT_RD)", fd, errno);
    }
}

JNIEXPORT jboolean JNICALL Java_dev_prefork_agent_os_Posix_isOpen(JNIEnv *env, jclass cls, jint fd) {
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_killSelf(JNIEnv *env, jclass cls, jint sig) {
    if (kill(getpid(), sig) < 0) {
        char what[64];
        snprintf(what, sizeof what, "kill(own pid %d, signal %d)", (int) getpid(), (int) sig);
        throw_io(env, what, errno);
    }
}

JNIEXPORT jlong JNICALL Java_dev_prefork_agent_os_Posix_inode(JNIEnv *env, jclass cls, jint fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) {
        throw_io_fd(env, "fstat", fd, errno);
        return -1;
    }
    return (jlong) st.st_ino;
}

/* A listening TCP socket (AF_INET or AF_INET6, SO_ACCEPTCONN): returns its inode, else 0. */
static jlong listening_inet_inode(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        return 0;
    }
    int value = 0;
    socklen_t len = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) < 0 || !value) {
        return 0;
    }
    len = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &len) < 0 || (value != AF_INET && value != AF_INET6)) {
        return 0;
    }
    return (jlong) st.st_ino;
}

JNIEXPORT jboolean JNICALL Java_dev_prefork_agent_os_Posix_isListeningInet(JNIEnv *env, jclass cls, jint fd) {
    return listening_inet_inode(fd) != 0;
}

/* Inodes of every listening TCP socket this process holds, found through its fds: cheap, no /proc/net parsing. */
JNIEXPORT jlongArray JNICALL Java_dev_prefork_agent_os_Posix_listeningInetSockets(JNIEnv *env, jclass cls) {
    jlong inodes[64];
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        throw_io(env, "opendir(/proc/self/fd)", errno);
        return NULL;
    }
    int own = dirfd(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && count < 64) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        int fd = atoi(e->d_name);
        if (fd == own) {
            continue;
        }
        jlong inode = listening_inet_inode(fd);
        if (inode != 0) {
            inodes[count++] = inode;
        }
    }
    closedir(dir);
    jlongArray out = (*env)->NewLongArray(env, count);
    if (out != NULL) {
        (*env)->SetLongArrayRegion(env, out, 0, count, inodes);
    }
    return out;
}

/* Whether fd (a number seen in /proc) is our listening socket: by inode, because servers hold dups of fd 0
 * (System.inheritedChannel() dups it), not fd 0 itself. */
static int is_socket(long fd, jlong inode) {
    struct stat st;
    return fd >= 0 && fd <= 0x7fffffff && fstat((int) fd, &st) == 0 && S_ISSOCK(st.st_mode) && (jlong) st.st_ino == inode;
}

static ssize_t read_file(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n >= 0) {
        buf[n] = '\0';
    }
    return n;
}

/* Whether a poll(2)/ppoll(2) array at addr (in this process) waits for input on one of the fds. Read through
 * /proc/self/mem, not by dereferencing: the polling thread may return and its stack change or go meanwhile. */
static int polls_for_input(int mem, unsigned long addr, unsigned long nfds, jlong inode) {
    struct pollfd p[4];
    if (mem < 0 || nfds == 0 || nfds > 4) {
        return 0;
    }
    if (pread(mem, p, nfds * sizeof p[0], (off_t) addr) != (ssize_t) (nfds * sizeof p[0])) {
        return 0;
    }
    for (unsigned long i = 0; i < nfds; i++) {
        if ((p[i].events & POLLIN) && is_socket(p[i].fd, inode)) {
            return 1;
        }
    }
    return 0;
}

/* A thread waiting to accept on the socket (Tomcat, Jetty): blocked in accept/accept4 on it (a blocking
 * listener), or in poll/ppoll for its input (a non-blocking listener behind a channel in blocking mode, which is
 * how the JDK waits when O_NONBLOCK is set on the shared open file). */
static int thread_in_accept(jlong inode) {
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) {
        return 0;
    }
    int mem = -1;
    int found = 0;
    struct dirent *e;
    char path[64];
    char buf[256];
    while (!found && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/self/task/%d/syscall", atoi(e->d_name));
        if (read_file(path, buf, sizeof buf) <= 0) {
            continue;
        }
        char *end;
        long nr = strtol(buf, &end, 10);
        if (end == buf) {
            continue;
        }
        if (nr == SYS_ACCEPT || nr == SYS_ACCEPT4) {
            found = is_socket((long) strtoul(end, NULL, 16), inode);
        } else if (nr == SYS_POLL || nr == SYS_PPOLL) {
            unsigned long addr = strtoul(end, &end, 16);
            unsigned long nfds = strtoul(end, NULL, 16);
            if (mem < 0) {
                mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
            }
            found = polls_for_input(mem, addr, nfds, inode);
        }
    }
    if (mem >= 0) {
        close(mem);
    }
    closedir(dir);
    return found;
}

/* An epoll set that holds the socket (an event-loop acceptor: Netty, Micronaut): "tfd: N" in its fdinfo. */
static int epoll_watches(jlong inode) {
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        return 0;
    }
    int found = 0;
    struct dirent *e;
    char path[64];
    char link[64];
    static char buf[16384];
    while (!found && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", atoi(e->d_name));
        ssize_t len = readlink(path, link, sizeof link - 1);
        if (len <= 0) {
            continue;
        }
        link[len] = '\0';
        if (strcmp(link, "anon_inode:[eventpoll]") != 0) {
            continue;
        }
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", atoi(e->d_name));
        if (read_file(path, buf, sizeof buf) <= 0) {
            continue;
        }
        for (char *p = strstr(buf, "tfd:"); p != NULL && !found; p = strstr(p + 4, "tfd:")) {
            found = is_socket(strtol(p + 4, NULL, 10), inode);
        }
    }
    closedir(dir);
    return found;
}

/* Not thread-safe (one static buffer): only the agent's readiness thread calls it. */
JNIEXPORT jboolean JNICALL Java_dev_prefork_agent_os_Posix_acceptingOn(JNIEnv *env, jclass cls, jlong inode) {
    return thread_in_accept(inode) || epoll_watches(inode);
}

/* Points fd at /dev/null: the fd number stays taken, so a later close(fd) by the application closes nothing else. */
JNIEXPORT void JNICALL Java_dev_prefork_agent_os_Posix_devNullOnto(JNIEnv *env, jclass cls, jint fd) {
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        throw_io(env, "open(/dev/null)", errno);
        return;
    }
    if (null_fd != fd && dup2(null_fd, fd) < 0) {
        int err = errno;
        close(null_fd);
        throw_io_fd(env, "dup2(/dev/null)", fd, err);
        return;
    }
    if (null_fd != fd) {
        close(null_fd);
    }
}
