package dev.prefork.core.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A server certificate chain (leaf first) with its private key, and the CA certificates that client certificates
 * are verified against (empty when none are configured).
 */
public record TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trustedCas) {
    public TlsMaterial {
        chain = List.copyOf(chain);
        trustedCas = List.copyOf(trustedCas);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** When the served (leaf) certificate expires. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }
}
