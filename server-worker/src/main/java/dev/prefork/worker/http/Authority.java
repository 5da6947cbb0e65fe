package dev.prefork.worker.http;

/**
 * The {@code uri-host [ ":" port ]} grammar of RFC 3986 §3.2.2 (IP-literal, IPv4 or reg-name), as used by the Host
 * field, an absolute-form target's authority and a CONNECT target (RFC 9112 §3.2). No userinfo ({@code @}), no path,
 * no whitespace; a comma, though a sub-delim, is refused too: in a Host field it means a list of hosts.
 */
final class Authority {
    private Authority() {
    }

    /**
     * @param requirePort CONNECT's authority-form needs a port; a Host value or an absolute URI need not have one
     */
    static boolean isValid(CharSequence s, int start, int end, boolean requirePort) {
        if (start >= end) {
            return false;
        }
        int i = start;
        if (s.charAt(i) == '[') {
            int close = indexOf(s, ']', i, end);
            if (close < 0 || close == i + 1) {
                return false;
            }
            for (int j = i + 1; j < close; j++) {
                char c = s.charAt(j);
                if (!(isHex(c) || c == ':' || c == '.' || isUnreservedOrSubDelim(c))) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            int hostStart = i;
            while (i < end && s.charAt(i) != ':') {
                char c = s.charAt(i);
                if (c == '%') {
                    if (i + 2 >= end || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                        return false;
                    }
                    i += 2;
                } else if (!isUnreservedOrSubDelim(c)) {
                    return false;
                }
                i++;
            }
            if (i == hostStart) {
                return false; // RFC 9110 §4.2.1: an empty host is invalid
            }
        }
        if (i == end) {
            return !requirePort;
        }
        if (s.charAt(i) != ':') {
            return false;
        }
        i++;
        if (requirePort && i == end) {
            return false;
        }
        for (; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The end of the authority that starts at {@code start} (after an absolute URI's {@code "://"}). */
    static int end(CharSequence uri, int start) {
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        return end;
    }

    private static int indexOf(CharSequence s, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** unreserved / sub-delims of RFC 3986, without the comma. */
    private static boolean isUnreservedOrSubDelim(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        switch (c) {
            case '-': case '.': case '_': case '~':
            case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ';': case '=':
                return true;
            default:
                return false;
        }
    }
}
