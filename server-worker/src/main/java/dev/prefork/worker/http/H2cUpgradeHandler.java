package dev.prefork.worker.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * Netty's Upgrade handler, taking only requests that pass the HTTP/1 checks made after it (a decoded head, a valid
 * Host): any other request, Upgrade header or not, goes on to the HTTP/1 handler, which refuses it as usual.
 */
final class H2cUpgradeHandler extends HttpServerUpgradeHandler {
    H2cUpgradeHandler(SourceCodec sourceCodec, UpgradeCodecFactory upgradeCodecFactory, int maxContentLength) {
        super(sourceCodec, upgradeCodecFactory, maxContentLength);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
        return request.decoderResult().isSuccess() && HostRule.check(request)
                && super.shouldHandleUpgradeRequest(request);
    }
}
