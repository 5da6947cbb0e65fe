package dev.prefork.worker.tls;

import dev.prefork.core.control.WorkerSettings;
import dev.prefork.core.tls.ClientCertificates;
import dev.prefork.core.tls.PemFiles;
import dev.prefork.core.tls.TlsFileException;
import dev.prefork.core.tls.TlsMaterial;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The worker's TLS: an SSL context built from the PEM files (OpenSSL through netty-tcnative's BoringSSL when it
 * loads, the JDK provider otherwise), swapped for a new one when the files' bytes change. Each new connection
 * takes the context current at its accept; existing connections keep theirs. Contexts are built with
 * {@link SslProvider#OPENSSL} (not OPENSSL_REFCNT), so a replaced one is freed by the garbage collector once its
 * last connection is gone.
 */
public final class ServerTls {
    private final Path certFile;
    private final Path keyFile;
    private final Path caFile;
    private final ClientAuth clientAuth;
    private final List<String> ciphers;
    private final String[] protocols;
    private final boolean http2;
    private final SslProvider provider;
    private volatile SslContext context;
    private volatile TlsMaterial material;
    private byte[] filesDigest;
    /** What the files looked like at the last successful load; null forces a re-read. */
    private List<Object> filesStamp;

    private ServerTls(WorkerSettings s) {
        this.certFile = Path.of(s.certFile());
        this.keyFile = s.keyFile().isEmpty() ? null : Path.of(s.keyFile());
        this.caFile = s.caCerts().isEmpty() ? null : Path.of(s.caCerts());
        this.clientAuth = switch (ClientCertificates.ofCode(s.certReqs())) {
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case REQUIRED -> ClientAuth.REQUIRE;
            default -> ClientAuth.NONE;
        };
        this.ciphers = s.ciphers().isEmpty() ? null : Arrays.asList(s.ciphers().split(","));
        this.protocols = "1.3".equals(s.tlsMinVersion()) ? new String[] {"TLSv1.3"}
                : new String[] {"TLSv1.3", "TLSv1.2"};
        this.http2 = s.http2();
        this.provider = OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Loads the files named in the settings and builds the first context. */
    public static ServerTls load(WorkerSettings settings) throws TlsFileException, SSLException {
        ServerTls tls = new ServerTls(settings);
        List<Object> stamp = tls.stampFiles();
        byte[] digest = tls.digestFiles();
        tls.install(PemFiles.load(tls.certFile, tls.keyFile, tls.caFile), digest);
        tls.filesStamp = stamp;
        return tls;
    }

    /** A handler for a new connection, with the current context. */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    /** The TLS implementation in use and, when it is not OpenSSL, why not. */
    public String providerDescription() {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")"
                : "JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")";
    }

    /** The certificate served to new connections. */
    public X509Certificate certificate() {
        return material.leaf();
    }

    public Instant notAfter() {
        return material.notAfter();
    }

    /**
     * Re-reads the files when their bytes changed since the last successful load (a Kubernetes secret update swaps
     * a symlink: the paths read the new files). A change that does not load (a half-written pair, a key that does
     * not match yet) leaves the current context in place and throws; the next call tries again. The bytes are
     * hashed only when a file's resolved path, inode, size or modification time changed: a poll is a few stats.
     *
     * @return true when new connections now get a new certificate
     */
    public boolean reloadIfChanged() throws TlsFileException, SSLException {
        // Stamped before reading, so a write that lands during the read changes the next poll's stamp.
        List<Object> stamp = stampFiles();
        if (stamp != null && stamp.equals(filesStamp)) {
            return false;
        }
        byte[] digest = digestFiles();
        if (Arrays.equals(digest, filesDigest)) {
            filesStamp = stamp;
            return false;
        }
        install(PemFiles.load(certFile, keyFile, caFile), digest);
        filesStamp = stamp;
        return true;
    }

    /**
     * Each file's real path (a Kubernetes secret update swaps the {@code ..data} symlink), inode, size and
     * modification time; null when one cannot be read, so the caller reads the files and names the failure.
     */
    private List<Object> stampFiles() {
        List<Object> stamp = new ArrayList<>();
        try {
            for (Path file : new Path[] {certFile, keyFile, caFile}) {
                if (file != null) {
                    Path real = file.toRealPath();
                    BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
                    stamp.add(real);
                    stamp.add(attributes.fileKey());
                    stamp.add(attributes.size());
                    stamp.add(attributes.lastModifiedTime());
                }
            }
        } catch (IOException e) {
            return null;
        }
        return stamp;
    }

    private void install(TlsMaterial next, byte[] digest) throws SSLException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(next.key(), next.chain().toArray(new X509Certificate[0]))
                .sslProvider(provider)
                .protocols(protocols)
                .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(clientAuth);
        if (!next.trustedCas().isEmpty()) {
            builder.trustManager(next.trustedCas().toArray(new X509Certificate[0]));
        }
        if (http2) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        context = builder.build();
        material = next;
        filesDigest = digest;
    }

    private byte[] digestFiles() throws TlsFileException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        for (Path file : new Path[] {certFile, keyFile, caFile}) {
            if (file != null) {
                try {
                    sha256.update(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new TlsFileException(file, "cannot be read (" + e + ")", e);
                }
                sha256.update((byte) 0);
            }
        }
        return sha256.digest();
    }
}
