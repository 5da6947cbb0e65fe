package dev.prefork.core.tls;

/** Whether clients must present a certificate: Gunicorn's {@code --cert-reqs} values 0, 1 and 2. */
public enum ClientCertificates {
    /** 0 (ssl.CERT_NONE): never asked for. */
    NONE,
    /** 1 (ssl.CERT_OPTIONAL): asked for and verified against {@code --ca-certs} when sent. */
    OPTIONAL,
    /** 2 (ssl.CERT_REQUIRED): a connection without a certificate that verifies is refused. */
    REQUIRED;

    /** Gunicorn's number for this mode. */
    public int code() {
        return ordinal();
    }

    /** The mode for Gunicorn's number, or null for any other. */
    public static ClientCertificates ofCode(int code) {
        return code >= 0 && code < values().length ? values()[code] : null;
    }
}
