package dev.prefork.worker.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream opened while its connection was over its {@link Http2ConnectionBudget}: reset with REFUSED_STREAM
 * (nothing of it was processed, so the client may retry it, RFC 9113 §8.7) and closed; its frames are dropped.
 */
final class Http2RefusedStream extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2RefusedStream.class);

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        log.debug("refusing an HTTP/2 stream on {}: the connection holds too many bytes",
                ctx.channel().parent().remoteAddress());
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
