package dev.prefork.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** A {@code HOST:PORT} listen address; IPv6 hosts in brackets, as in {@code [::]:8080}. */
public record BindAddress(String host, int port) {

    public BindAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code HOST:PORT}, {@code [V6]:PORT} or {@code :PORT} (all interfaces); errors name {@code option}. */
    public static BindAddress parse(String option, String text) {
        String value = text == null ? "" : text.trim();
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

    /** Resolves the host; an unknown host is a configuration error, reported before anything starts. */
    public InetSocketAddress resolve(String option) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigException(option, toString(), "names a host that does not resolve; use an IP address");
        }
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
