package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder behind a {@link HeadScanner}: a head reaches Netty only once it is whole and within the
 * limits, so no verdict depends on how the bytes were split (Netty's own line limit does: it counts a CR still
 * waiting for its LF). A refused head becomes an invalid request carrying a {@link HeadRejectedException}, and
 * everything after it is dropped. The lines of a chunked body are measured the same way by a
 * {@link ChunkedBodyScanner} before Netty reads them; a refused line ends the body with an invalid last content. While {@linkplain #hold held} (the connection's responses are not being read),
 * nothing more is decoded: the bytes wait in the cumulation buffer, with reading off, until {@link #resume}.
 */
final class RequestDecoder extends HttpRequestDecoder {
    private final HeadScanner scanner;
    private final ChunkedBodyScanner chunks;
    private boolean expectingHead = true;
    private boolean rejected;
    private boolean held;

    RequestDecoder(HttpLimits limits) {
        // Netty's limits sit above the scanner's, which has already measured every head Netty sees.
        // Netty's line limit also bounds chunk-size lines: above both scanners' limits, CR and LF included.
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(Math.max(limits.requestLine(), ChunkedBodyScanner.CHUNK_LINE_LIMIT) + 2)
                .setMaxHeaderSize(limits.headerBlockLimit()));
        this.scanner = new HeadScanner(limits);
        this.chunks = new ChunkedBodyScanner(limits);
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
        if (chunks.isActive()) {
            try {
                chunks.scan(in);
            } catch (TooLongFrameException e) {
                rejected = true;
                chunks.stop();
                in.skipBytes(in.readableBytes());
                LastHttpContent invalid = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                invalid.setDecoderResult(DecoderResult.failure(e));
                out.add(invalid);
                return;
            }
        }
        int first = out.size();
        int before = in.readerIndex();
        super.decode(ctx, in, out);
        chunks.consumed(in.readerIndex() - before);
        for (int i = first, n = out.size(); i < n; i++) {
            Object decoded = out.get(i);
            if (decoded instanceof LastHttpContent) {
                expectingHead = true;
                scanner.reset();
                chunks.stop();
            } else if (decoded instanceof HttpMessage head && head.decoderResult().isSuccess()
                    && HttpUtil.isTransferEncodingChunked(head)) {
                chunks.start(); // Netty stops after a chunked head: the body starts at the reader index
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
