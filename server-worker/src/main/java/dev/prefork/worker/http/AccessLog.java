package dev.prefork.worker.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request to logger {@code prefork.access}: the common log format plus the request time in
 * milliseconds, e.g. {@code 127.0.0.1 - - [26/Nov/2026:13:34:00 +0000] "GET / HTTP/1.1" 200 13 0.412}.
 * Only created when the access log is on, so the serving path does no logging work otherwise.
 */
final class AccessLog {
    static final String LOGGER = "prefork.access";
    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneId.systemDefault());

    private final Logger log;
    private volatile CachedTime cachedTime = new CachedTime(-1, "");

    private record CachedTime(long second, String text) {
    }

    AccessLog() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    AccessLog(Logger log) {
        this.log = log;
    }

    void log(SocketAddress remote, String method, String uri, String protocol, int status, int bytes,
             long startNanos) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        StringBuilder line = new StringBuilder(96 + uri.length())
                .append(host(remote)).append(" - - [").append(time()).append("] \"")
                .append(method).append(' ').append(uri).append(' ').append(protocol).append("\" ")
                .append(status).append(' ').append(bytes == 0 ? "-" : Integer.toString(bytes)).append(' ')
                .append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            line.append('0');
        }
        if (fraction < 10) {
            line.append('0');
        }
        line.append(fraction);
        log.info(line.toString());
    }

    private static String host(SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) remote;
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return remote == null ? "-" : remote.toString();
    }

    private String time() {
        long millis = System.currentTimeMillis();
        long second = millis / 1000;
        CachedTime c = cachedTime;
        if (c.second != second) {
            c = new CachedTime(second, CLF_TIME.format(Instant.ofEpochSecond(second)));
            cachedTime = c;
        }
        return c.text;
    }
}
