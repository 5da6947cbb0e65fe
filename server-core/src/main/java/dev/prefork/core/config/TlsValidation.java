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
 * The TLS options checked at configuration time, in the master, before anything is bound: the options fit
 * together, every file is read and parsed as a worker will, the key matches the certificate, and every cipher
 * suite is known. A bad file names itself and what is wrong with it.
 */
final class TlsValidation {
    private TlsValidation() {
    }

    static void check(Path certFile, Path keyFile, Path caCerts, ClientCertificates certReqs, List<String> ciphers,
                      String tlsMinVersion) {
        if (!ServerConfig.TLS_VERSIONS.contains(tlsMinVersion)) {
            throw new ConfigException("--tls-min-version", tlsMinVersion, "is not a TLS version; give 1.2 or 1.3");
        }
        if (certReqs == null) {
            throw new ConfigException("--cert-reqs", null, "is missing; give 0, 1 or 2");
        }
        if (certFile == null) {
            String stray = keyFile != null ? "--keyfile" : caCerts != null ? "--ca-certs"
                    : certReqs != ClientCertificates.NONE ? "--cert-reqs" : !ciphers.isEmpty() ? "--ciphers" : null;
            if (stray != null) {
                throw new ConfigException(stray, null, "is given without --certfile; give --certfile to serve TLS");
            }
            return;
        }
        if (certReqs != ClientCertificates.NONE && caCerts == null) {
            throw new ConfigException("--cert-reqs", Integer.toString(certReqs.code()),
                    "needs --ca-certs: the CA certificates that client certificates are verified against");
        }
        try {
            PemFiles.load(certFile, keyFile, caCerts);
        } catch (TlsFileException e) {
            String option = e.file().equals(caCerts) ? "--ca-certs"
                    : e.file().equals(keyFile) ? "--keyfile" : "--certfile";
            throw new ConfigException(option, e.file().toString(), e.problem());
        }
        if (!ciphers.isEmpty()) {
            Set<String> known = supportedCipherSuites();
            for (String cipher : ciphers) {
                if (!known.contains(cipher)) {
                    throw new ConfigException("--ciphers", cipher, "is not a cipher suite this JVM knows; give IANA "
                            + "names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
                }
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
