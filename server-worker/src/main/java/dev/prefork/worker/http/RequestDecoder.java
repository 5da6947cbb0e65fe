package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder behind a {@link HeadScanner}: a head reaches Netty only once it is whole and within the
 * limits, so no verdict depends on how the bytes were split (Netty's own line limit does: it counts a CR still
 * waiting for its LF). A refused head becomes an invalid request carrying a {@link HeadRejectedException}, and
 * everything after it is dropped. While {@linkplain #hold held} (the connection's responses are not being read),
 * nothing more is decoded: the bytes wait in the cumulation buffer, with reading off, until {@link #resume}.
 */
final class RequestDecoder extends HttpRequestDecoder {
    private final HeadScanner scanner;
    private boolean expectingHead = true;
    private boolean rejected;
    private boolean held;

    RequestDecoder(HttpLimits limits) {
        // Netty's limits sit above the scanner's, which has already measured every head Netty sees.
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.requestLine() + 2)
                .setMaxHeaderSize(limits.headerBlockLimit()));
        this.scanner = new HeadScanner(limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (held) {
            return;
        }
        if (expectingHead) {
            try {
                if (!scanner.scan(in)) {
                    return;
                }
            } catch (HeadRejectedException e) {
                rejected = true;
                in.skipBytes(in.readableBytes());
                HttpMessage invalid = createInvalidMessage();
                invalid.setDecoderResult(DecoderResult.failure(e));
                out.add(invalid);
                return;
            }
            expectingHead = false;
        }
        int first = out.size();
        super.decode(ctx, in, out);
        for (int i = first, n = out.size(); i < n; i++) {
            if (out.get(i) instanceof LastHttpContent) {
                expectingHead = true;
                scanner.reset();
            }
        }
    }

    /** Stops decoding until {@link #resume}; what arrives meanwhile stays buffered. */
    void hold() {
        held = true;
    }

    /** Decodes again; true when buffered bytes wait to be decoded (the caller must feed the decoder once). */
    boolean resume() {
        held = false;
        return actualReadableBytes() > 0;
    }
}
