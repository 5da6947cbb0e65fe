package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Checks one request head on its raw bytes before Netty decodes it, so that every verdict depends on the bytes
 * alone, never on how they were split into reads. Limits with Gunicorn's semantics: the request line without its
 * CRLF at most {@code limit-request-line} octets (414); at most {@code limit-request-fields} fields and each field
 * line counted with its CRLF (continuation lines added) at most {@code limit-request-field-size} octets (431). The
 * request line must be {@code method SP request-target SP HTTP-version} exactly (RFC 9112 §3): a token method, a
 * target in origin-form, absolute-form (http/https), authority-form (CONNECT only) or {@code *} (OPTIONS only),
 * without control characters, and a well-formed version (400); a version other than 1.x is answered 505
 * (RFC 9110 §15.6.6). Lines end with CRLF; a bare LF is refused (400). Empty lines before the request line are
 * skipped (RFC 9112 §2.2).
 *
 * <p>Incremental: each call scans only the bytes that arrived since the last one, and a line over its limit is
 * refused as soon as it is longer than the limit, whole or not. Nothing is consumed except skipped empty lines.
 * One instance per connection, reset before each head.
 */
final class HeadScanner {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int lineLimit;
    private final int fieldLimit;
    private final int fieldSizeLimit;

    /** Offsets from the reader index: bytes examined so far, and the start of the line being read. */
    private int scanned;
    private int lineStart;
    private boolean inRequestLine = true;
    private int fields;
    /** Octets of the current field so far, each of its lines counted with its CRLF; 0 before the first field. */
    private int fieldSize;

    HeadScanner(HttpLimits limits) {
        this.lineLimit = limits.requestLine();
        this.fieldLimit = limits.requestFields();
        this.fieldSizeLimit = limits.requestFieldSize();
    }

    /** Forgets the previous head: the next bytes start a new one. */
    void reset() {
        scanned = 0;
        lineStart = 0;
        inRequestLine = true;
        fields = 0;
        fieldSize = 0;
    }

    /**
     * @return true when a whole acceptable head starts at the reader index, false when more bytes are needed
     * @throws HeadRejectedException with the status that answers the head
     */
    boolean scan(ByteBuf in) {
        while (true) {
            int base = in.readerIndex();
            int end = in.writerIndex();
            int lf = scanned < end - base ? in.indexOf(base + scanned, end, LF) : -1;
            if (lf < 0) {
                scanned = end - base;
                checkPartialLine(in, base, end);
                return false;
            }
            int lineEnd = lf - base;
            scanned = lineEnd + 1;
            boolean crlf = lineEnd > lineStart && in.getByte(lf - 1) == CR;
            int contentLength = lineEnd - lineStart - (crlf ? 1 : 0);
            int start = base + lineStart;
            if (inRequestLine) {
                if (contentLength > lineLimit) {
                    throw new HeadRejectedException(HeadLimits.URI_TOO_LONG, "request line over " + lineLimit + " octets");
                }
                requireCrlf(crlf);
                if (contentLength == 0) {
                    in.skipBytes(scanned); // an empty line before the request line
                    scanned = 0;
                    lineStart = 0;
                    continue;
                }
                checkRequestLine(in, start, start + contentLength);
                inRequestLine = false;
            } else if (contentLength == 0) {
                requireCrlf(crlf);
                return true;
            } else if (isWhitespace(in.getByte(start))) {
                if (fields == 0) {
                    throw new HeadRejectedException(HeadLimits.BAD_REQUEST, "whitespace before the first header field");
                }
                fieldSize += contentLength + 2;
                checkFieldSize(fieldSize);
                requireCrlf(crlf);
            } else {
                if (++fields > fieldLimit) {
                    throw new HeadRejectedException(HeadLimits.HEADER_FIELDS_TOO_LARGE, "more than " + fieldLimit
                            + " header fields");
                }
                fieldSize = contentLength + 2;
                checkFieldSize(fieldSize);
                requireCrlf(crlf);
            }
            lineStart = scanned;
        }
    }

    /** A line still without its LF is refused once what it has (less a trailing CR) is already over its limit. */
    private void checkPartialLine(ByteBuf in, int base, int end) {
        int length = end - base - lineStart;
        if (length > 0 && in.getByte(end - 1) == CR) {
            length--;
        }
        if (length == 0) {
            return;
        }
        if (inRequestLine) {
            if (length > lineLimit) {
                throw new HeadRejectedException(HeadLimits.URI_TOO_LONG, "request line over " + lineLimit + " octets");
            }
        } else if (isWhitespace(in.getByte(base + lineStart))) {
            checkFieldSize(fieldSize + length + 2);
        } else {
            checkFieldSize(length + 2);
        }
    }

    private void checkFieldSize(int size) {
        if (size > fieldSizeLimit) {
            throw new HeadRejectedException(HeadLimits.HEADER_FIELDS_TOO_LARGE, "a header field over " + fieldSizeLimit
                    + " octets");
        }
    }

    private static void requireCrlf(boolean crlf) {
        if (!crlf) {
            throw new HeadRejectedException(HeadLimits.BAD_REQUEST, "a line ends with a bare LF");
        }
    }

    /** {@code method SP request-target SP HTTP-version}, the version checked first: it says how to read the rest. */
    private static void checkRequestLine(ByteBuf in, int start, int end) {
        int sp1 = in.indexOf(start, end, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : in.indexOf(sp1 + 1, end, (byte) ' ');
        if (sp1 <= start || sp2 < 0) {
            throw badLine("not method SP target SP version");
        }
        checkVersion(in, sp2 + 1, end);
        for (int i = start; i < sp1; i++) {
            if (!isTchar(in.getByte(i))) {
                throw badLine("the method is not a token");
            }
        }
        checkTarget(in, start, sp1, sp1 + 1, sp2);
    }

    /** {@code HTTP/DIGIT.DIGIT}, case-sensitive (RFC 9112 §2.3); only major version 1 is served. */
    private static void checkVersion(ByteBuf in, int start, int end) {
        if (end - start != 8 || in.getByte(start) != 'H' || in.getByte(start + 1) != 'T' || in.getByte(start + 2) != 'T'
                || in.getByte(start + 3) != 'P' || in.getByte(start + 4) != '/' || !isDigit(in.getByte(start + 5))
                || in.getByte(start + 6) != '.' || !isDigit(in.getByte(start + 7))) {
            throw badLine("malformed HTTP-version");
        }
        if (in.getByte(start + 5) != '1') {
            throw new HeadRejectedException(HeadLimits.VERSION_NOT_SUPPORTED, "HTTP major version " + (char) in.getByte(start + 5) + " is not served");
        }
    }

    private static void checkTarget(ByteBuf in, int methodStart, int methodEnd, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = in.getByte(i);
            if ((b >= 0 && b < 0x20) || b == 0x7f) {
                throw badLine("a control character in the request target");
            }
        }
        byte first = in.getByte(start);
        boolean connect = is(in, methodStart, methodEnd, "CONNECT");
        if (connect) {
            String target = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
            if (!Authority.isValid(target, 0, target.length(), true)) {
                throw badLine("CONNECT needs an authority-form target (host:port)");
            }
            return;
        }
        if (first == '/') {
            return; // origin-form
        }
        if (first == '*' && end - start == 1) {
            if (!is(in, methodStart, methodEnd, "OPTIONS")) {
                throw badLine("the asterisk-form is for OPTIONS only");
            }
            return;
        }
        checkAbsoluteForm(in.toString(start, end - start, StandardCharsets.ISO_8859_1));
    }

    /** {@code http://authority[/path][?query]} (or https), without userinfo and with a host (RFC 9110 §4.2). */
    private static void checkAbsoluteForm(String target) {
        int colon = target.indexOf("://");
        String scheme = colon < 0 ? "" : target.substring(0, colon);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw badLine("the request target is neither origin-form, absolute-form (http, https), authority-form"
                    + " (CONNECT) nor * (OPTIONS)");
        }
        int authorityStart = colon + 3;
        if (!Authority.isValid(target, authorityStart, Authority.end(target, authorityStart), false)) {
            throw badLine("the absolute-form target's authority is not host[:port]");
        }
    }

    private static boolean is(ByteBuf in, int start, int end, String ascii) {
        if (end - start != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (in.getByte(start + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static HeadRejectedException badLine(String reason) {
        return new HeadRejectedException(HeadLimits.BAD_REQUEST, "bad request line: " + reason);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTchar(byte b) {
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || isDigit(b)) {
            return true;
        }
        switch (b) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
            case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
        }
    }
}
