package dev.prefork.core.config;

import dev.prefork.core.tls.ClientCertificates;
import dev.prefork.core.tls.PemFiles;
import dev.prefork.core.tls.TlsFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The TLS checks that need several options, run by {@link ServerConfig.Builder#build()} in the master before
 * anything is bound, after each option's own checks ({@link ConfigOption}): the options fit together, every file
 * is read and parsed as a worker will, and the key matches the certificate. A bad file names itself and what is
 * wrong with it. Also the one check of {@code --ciphers} alone, which needs the JVM's TLS.
 */
final class TlsValidation {
    private TlsValidation() {
    }

    static void check(Path certFile, Path keyFile, Path caCerts, ClientCertificates certReqs, List<String> ciphers) {
        if (certFile == null) {
            ConfigOption stray = keyFile != null ? ConfigOption.KEYFILE : caCerts != null ? ConfigOption.CA_CERTS
                    : certReqs != ClientCertificates.NONE ? ConfigOption.CERT_REQS
                    : !ciphers.isEmpty() ? ConfigOption.CIPHERS : null;
            if (stray != null) {
                throw new ConfigException(stray.flag(), null, "is given without " + ConfigOption.CERTFILE.flag()
                        + "; give " + ConfigOption.CERTFILE.flag() + " to serve TLS");
            }
            return;
        }
        if (certReqs != ClientCertificates.NONE && caCerts == null) {
            throw new ConfigException(ConfigOption.CERT_REQS.flag(), Integer.toString(certReqs.code()),
                    "needs --ca-certs: the CA certificates that client certificates are verified against");
        }
        try {
            PemFiles.load(certFile, keyFile, caCerts);
        } catch (TlsFileException e) {
            ConfigOption option = e.file().equals(caCerts) ? ConfigOption.CA_CERTS
                    : e.file().equals(keyFile) ? ConfigOption.KEYFILE : ConfigOption.CERTFILE;
            throw new ConfigException(option.flag(), e.file().toString(), e.problem());
        }
    }

    /** {@code --ciphers}: every name is a suite this JVM knows (the worker's OpenSSL takes the same IANA names). */
    static void knownCipherSuites(String flag, List<String> ciphers) {
        if (ciphers == null || ciphers.isEmpty()) {
            return;
        }
        Set<String> known = supportedCipherSuites();
        for (String cipher : ciphers) {
            if (!known.contains(cipher)) {
                throw new ConfigException(flag, cipher, "is not a cipher suite this JVM knows; give IANA "
                        + "names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
            }
        }
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context", e);
        }
    }
}
