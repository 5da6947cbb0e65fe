package dev.prefork.worker.runtime;

import dev.prefork.worker.tls.ServerTls;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A request to this worker's own serving path that the server itself answers (431, one header field too many), so
 * the application's handler never sees it: the CDS training run loads the serving classes with it, and a standby
 * warms its serving path with it before it stands by.
 */
final class RejectedRequest {
    private static final int TIMEOUT_MILLIS = 10_000;

    private RejectedRequest() {
    }

    /**
     * Sends one request with {@code fields} header fields (give one more than the limit) to 127.0.0.1:{@code port},
     * over TLS when {@code tls} is not null (trusting the certificate it serves, so the server's TLS classes load
     * too), and returns the response head.
     */
    static String send(int port, int fields, ServerTls tls) throws Exception {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 1; i < fields; i++) {
            request.append("X-Training-").append(i).append(": 1\r\n");
        }
        request.append("\r\n");
        try (java.net.Socket socket = tls == null ? new java.net.Socket(InetAddress.getLoopbackAddress(), port)
                : trusting(tls.certificate()).getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                answer.write(buf, 0, n);
                if (answer.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    private static SSLContext trusting(X509Certificate served) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("served", served);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
