package dev.prefork.worker.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host field, and to any request with more
 * than one Host field line or an invalid Host value ({@code uri-host [":" port]}, or empty). For an absolute-form
 * target the target's authority is the request's host (RFC 9112 §3.2.2): the Host field is still required and
 * checked, then replaced by that authority so the application sees the host the request is for.
 */
final class HostRule {
    private HostRule() {
    }

    /** True when the request's Host fields are acceptable; rewrites Host for an absolute-form target. */
    static boolean check(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return false;
        }
        if (hosts.isEmpty()) {
            return request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        }
        String host = hosts.get(0);
        if (!host.isEmpty() && !Authority.isValid(host, 0, host.length(), false)) {
            return false;
        }
        String uri = request.uri();
        if (!uri.isEmpty() && uri.charAt(0) != '/' && uri.indexOf("://") > 0) {
            int start = uri.indexOf("://") + 3;
            request.headers().set(HttpHeaderNames.HOST, uri.substring(start, Authority.end(uri, start)));
        }
        return true;
    }
}
