package dev.prefork.worker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * First on a cleartext connection while h2c is on: a connection that opens with the HTTP/2 preface
 * ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, h2c by prior knowledge) switches to HTTP/2; any other first byte
 * leaves the HTTP/1 pipeline behind it as it is. Either way it removes itself, passing on what it read.
 */
final class H2cPrefaceDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final HttpChannelInitializer protocols;

    H2cPrefaceDetector(HttpChannelInitializer protocols) {
        this.protocols = protocols;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int prefaceLength = PREFACE.readableBytes();
        int n = Math.min(in.readableBytes(), prefaceLength);
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            ctx.pipeline().remove(this);
            return;
        }
        if (n < prefaceLength) {
            return; // a prefix of the preface so far
        }
        protocols.switchToHttp2(ctx.pipeline());
        ctx.pipeline().remove(this);
    }
}
