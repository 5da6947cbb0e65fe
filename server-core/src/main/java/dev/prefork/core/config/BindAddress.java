package dev.prefork.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A listen address: {@code HOST:PORT} (IPv6 hosts in brackets, as in {@code [::]:8080}), or a Unix domain socket
 * {@code unix:/path/app.sock} ({@code unixPath} set, {@code host} empty, {@code port} 0).
 */
public record BindAddress(String host, int port, String unixPath) {
    public static final String UNIX_PREFIX = "unix:";
    /** sun_path holds 108 bytes with the terminating NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;

    public BindAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A TCP address. */
    public BindAddress(String host, int port) {
        this(host, port, null);
    }

    /** True for {@code unix:/path}. */
    public boolean isUnix() {
        return unixPath != null;
    }

    /**
     * Parses {@code HOST:PORT}, {@code [V6]:PORT}, {@code :PORT} (all interfaces) or {@code unix:/absolute/path};
     * errors name {@code option}.
     */
    public static BindAddress parse(String option, String text) {
        String value = text == null ? "" : text.trim();
        if (value.startsWith(UNIX_PREFIX)) {
            return parseUnix(option, text, value.substring(UNIX_PREFIX.length()));
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(option, text, "is not HOST:PORT; give for example 127.0.0.1:8000 or [::]:8000");
        }
        String host = value.substring(0, colon);
        String portText = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(option, text, "has an IPv6 host without brackets; write it as [::1]:8000");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ConfigException(option, text, "has no numeric port; give HOST:PORT with a port in 0..65535");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(option, text, "has a port outside 0..65535; pick a port in that range");
        }
        return new BindAddress(host, port);
    }

    private static BindAddress parseUnix(String option, String text, String path) {
        if (!path.startsWith("/")) {
            throw new ConfigException(option, text, "needs an absolute socket path; give e.g. unix:/run/app/app.sock");
        }
        if (path.endsWith("/")) {
            throw new ConfigException(option, text, "names a directory; give the socket file, e.g. unix:/run/app/app.sock");
        }
        if (path.indexOf('\0') >= 0 || path.contains(",")) {
            throw new ConfigException(option, text, "has a NUL or a comma in the path; pick a plain path");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_UNIX_PATH_BYTES) {
            throw new ConfigException(option, text, "is longer than the " + MAX_UNIX_PATH_BYTES
                    + " bytes a Unix socket path may have; choose a shorter path");
        }
        return new BindAddress("", 0, path);
    }

    /** Resolves the host; an unknown host is a configuration error, reported before anything starts. */
    public InetSocketAddress resolve(String option) {
        if (isUnix()) {
            throw new IllegalStateException(this + " is a Unix socket, not a TCP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigException(option, toString(), "names a host that does not resolve; use an IP address");
        }
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return UNIX_PREFIX + unixPath;
        }
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
