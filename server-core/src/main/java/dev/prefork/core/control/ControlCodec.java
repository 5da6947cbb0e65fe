package dev.prefork.core.control;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Frames: {@code u16 length | u8 type | payload}, big-endian, where length counts type and payload.
 * Strings are {@code u16 length | UTF-8}. The decoder never throws: a bad frame is a {@link Decoded.Invalid},
 * after which the caller closes that one connection.
 */
public final class ControlCodec {
    /** Longest frame (type + payload). Control frames are tiny; anything longer is hostile or broken. */
    public static final int MAX_FRAME = 1024;

    static final byte HELLO = 1;
    static final byte SOCKETS_RECEIVED = 2;
    static final byte READY = 3;
    static final byte HEARTBEAT = 4;
    static final byte BOOT_FAILED = 5;
    static final byte RECYCLE_REQUEST = 6;
    static final byte CERTIFICATE_SERVED = 7;
    // 8 was JvmStats (exec workers' JVM figures), retired: every worker writes them into its segment.
    static final byte STANDING_BY = 9;
    static final byte DRAIN = 10;
    static final byte STOP = 11;
    static final byte ACTIVATE = 12;

    private ControlCodec() {
    }

    /** The outcome of one decode attempt. */
    public sealed interface Decoded {
        /** A whole frame was consumed from the buffer. */
        record Message(ControlMessage message) implements Decoded {
        }

        /** Not enough bytes yet; nothing was consumed. */
        record NeedMore() implements Decoded {
        }

        /** The bytes are not a valid frame; the connection should be closed. */
        record Invalid(String reason) implements Decoded {
        }
    }

    private static final Decoded NEED_MORE = new Decoded.NeedMore();

    public static byte[] encode(ControlMessage message) {
        ByteBuffer body = ByteBuffer.allocate(MAX_FRAME);
        if (message instanceof ControlMessage.Hello m) {
            body.put(HELLO).putInt(m.workerId());
            putString(body, m.secret());
        } else if (message instanceof ControlMessage.SocketsReceived m) {
            body.put(SOCKETS_RECEIVED).putInt(m.count());
        } else if (message instanceof ControlMessage.Ready) {
            body.put(READY);
        } else if (message instanceof ControlMessage.Heartbeat m) {
            body.put(HEARTBEAT).putLong(m.maxLoopLagMillis());
        } else if (message instanceof ControlMessage.BootFailed m) {
            body.put(BOOT_FAILED);
            putString(body, truncate(m.reason(), 900));
        } else if (message instanceof ControlMessage.RecycleRequest m) {
            body.put(RECYCLE_REQUEST).putLong(m.requestsServed());
        } else if (message instanceof ControlMessage.CertificateServed m) {
            body.put(CERTIFICATE_SERVED).putLong(m.notAfterEpochSeconds());
        } else if (message instanceof ControlMessage.StandingBy) {
            body.put(STANDING_BY);
        } else if (message instanceof ControlMessage.Activate m) {
            body.put(ACTIVATE).putInt(m.slot()).putInt(m.socketGroup());
        } else if (message instanceof ControlMessage.Drain m) {
            body.put(DRAIN).putLong(m.acceptForMillis()).putLong(m.finishWithinMillis());
        } else if (message instanceof ControlMessage.Stop) {
            body.put(STOP);
        } else {
            throw new IllegalArgumentException("unknown control message " + message);
        }
        body.flip();
        ByteBuffer frame = ByteBuffer.allocate(2 + body.remaining());
        frame.putShort((short) body.remaining()).put(body);
        return frame.array();
    }

    /**
     * Decodes one frame from {@code in} (position at the frame's start). On {@code Message} the position moves
     * past the frame; on {@code NeedMore} and {@code Invalid} it is left unchanged.
     */
    public static Decoded decode(ByteBuffer in) {
        int start = in.position();
        if (in.remaining() < 2) {
            return NEED_MORE;
        }
        int length = Short.toUnsignedInt(in.getShort(start));
        if (length < 1 || length > MAX_FRAME) {
            return new Decoded.Invalid("frame length " + length + " outside 1.." + MAX_FRAME);
        }
        if (in.remaining() < 2 + length) {
            return NEED_MORE;
        }
        ByteBuffer body = in.duplicate();
        body.position(start + 2).limit(start + 2 + length);
        try {
            ControlMessage message = decodeBody(body);
            if (message == null) {
                return new Decoded.Invalid("unknown frame type " + body.get(start + 2));
            }
            if (body.hasRemaining()) {
                return new Decoded.Invalid("frame type " + body.get(start + 2) + " has " + body.remaining() + " trailing bytes");
            }
            in.position(start + 2 + length);
            return new Decoded.Message(message);
        } catch (BufferUnderflowException e) {
            return new Decoded.Invalid("frame type " + body.get(start + 2) + " is truncated");
        } catch (CharacterCodingException e) {
            return new Decoded.Invalid("frame has a string that is not UTF-8");
        } catch (IllegalArgumentException e) {
            return new Decoded.Invalid("frame type " + body.get(start + 2) + " is out of range: " + e.getMessage());
        }
    }

    private static ControlMessage decodeBody(ByteBuffer body) throws CharacterCodingException {
        byte type = body.get();
        return switch (type) {
            case HELLO -> new ControlMessage.Hello(body.getInt(), getString(body));
            case SOCKETS_RECEIVED -> new ControlMessage.SocketsReceived(body.getInt());
            case READY -> new ControlMessage.Ready();
            case HEARTBEAT -> new ControlMessage.Heartbeat(body.getLong());
            case BOOT_FAILED -> new ControlMessage.BootFailed(getString(body));
            case RECYCLE_REQUEST -> new ControlMessage.RecycleRequest(body.getLong());
            case CERTIFICATE_SERVED -> new ControlMessage.CertificateServed(body.getLong());
            case DRAIN -> new ControlMessage.Drain(body.getLong(), body.getLong());
            case STOP -> new ControlMessage.Stop();
            case STANDING_BY -> new ControlMessage.StandingBy();
            case ACTIVATE -> new ControlMessage.Activate(body.getInt(), body.getInt());
            default -> null;
        };
    }

    private static void putString(ByteBuffer out, String s) {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) throws CharacterCodingException {
        int len = Short.toUnsignedInt(in.getShort());
        if (len > in.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer slice = in.slice();
        slice.limit(len);
        in.position(in.position() + len);
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(slice).toString();
    }

    /** At most {@code maxBytes} of UTF-8, cut at a code point (an ASCII reason keeps all 900 characters). */
    static String truncate(String s, int maxBytes) {
        if (s == null) {
            return "";
        }
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                return s.substring(0, i);
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return s;
    }
}
