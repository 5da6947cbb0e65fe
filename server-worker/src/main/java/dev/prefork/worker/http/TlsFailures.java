package dev.prefork.worker.http;

import io.netty.handler.codec.DecoderException;
import javax.net.ssl.SSLException;

/** TLS errors are the client's doing (a scanner, an old client, a refused certificate): logged at debug. */
final class TlsFailures {
    private TlsFailures() {
    }

    static boolean isTls(Throwable cause) {
        return cause instanceof SSLException
                || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }
}
