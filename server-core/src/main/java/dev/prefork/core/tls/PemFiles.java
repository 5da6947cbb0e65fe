package dev.prefork.core.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA
 * PRIVATE KEY}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}) keys, the last two re-wrapped as PKCS#8 in a few lines
 * of DER (no extra dependency). Encrypted keys are refused: a server restarted unattended has no passphrase.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** rsaEncryption 1.2.840.113549.1.1.1 and id-ecPublicKey 1.2.840.10045.2.1, DER-encoded with their tags. */
    private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PemFiles() {
    }

    /**
     * Loads and checks a server's material: the chain, a key that matches the leaf certificate (signs what the
     * leaf's public key verifies), a leaf that has not expired, and the CA certificates when given.
     *
     * @param keyFile the key's file, or null when the key is in {@code certFile} too
     * @param caFile  CA certificates for client certificates, or null
     */
    public static TlsMaterial load(Path certFile, Path keyFile, Path caFile) throws TlsFileException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile != null ? keyFile : certFile);
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf.getPublicKey())) {
            throw new TlsFileException(keyFile != null ? keyFile : certFile, "holds a private key that does not match the "
                    + "certificate in " + certFile + " (" + leaf.getSubjectX500Principal().getName()
                    + "); give the key the certificate was issued for");
        }
        if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            throw new TlsFileException(certFile, "holds a certificate that expired on " + leaf.getNotAfter().toInstant()
                    + " (" + leaf.getSubjectX500Principal().getName() + "); renew it");
        }
        List<X509Certificate> cas = caFile == null ? List.of() : certificates(caFile);
        return new TlsMaterial(chain, key, cas);
    }

    /** Every certificate in a PEM file, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 certificate factory", e);
        }
        for (Block block : blocks(file)) {
            if (block.type.equals("CERTIFICATE")) {
                try {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der(file))));
                } catch (CertificateException e) {
                    throw new TlsFileException(file, "has a CERTIFICATE block that is not a valid X.509 certificate ("
                            + e.getMessage() + ")", e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsFileException(file, "holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); give a "
                    + "PEM certificate file");
        }
        return out;
    }

    /** The one private key in a PEM file. */
    public static PrivateKey privateKey(Path file) throws TlsFileException {
        for (Block block : blocks(file)) {
            switch (block.type) {
                case "PRIVATE KEY":
                    return pkcs8(file, block.der(file));
                case "RSA PRIVATE KEY":
                    refuseEncrypted(file, block);
                    return pkcs8(file, sequence(VERSION_0, sequence(RSA_OID, DER_NULL), octetString(block.der(file))));
                case "EC PRIVATE KEY":
                    refuseEncrypted(file, block);
                    byte[] sec1 = block.der(file);
                    byte[] curve = Der.ecCurveOid(sec1);
                    if (curve == null) {
                        throw new TlsFileException(file, "has an EC PRIVATE KEY without its curve parameters; write it "
                                + "with its curve, e.g. openssl pkcs8 -topk8 -nocrypt");
                    }
                    return pkcs8(file, sequence(VERSION_0, sequence(EC_OID, curve), octetString(sec1)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new TlsFileException(file, "holds an encrypted private key; give an unencrypted one (e.g. "
                            + "openssl pkey -in KEY -out KEY.plain) and protect it with file permissions");
                default:
                    break;
            }
        }
        throw new TlsFileException(file, "holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE "
                + "KEY); give the certificate's unencrypted key");
    }

    private static void refuseEncrypted(Path file, Block block) throws TlsFileException {
        if (block.body.contains("ENCRYPTED")) {
            throw new TlsFileException(file, "holds an encrypted " + block.type + "; give an unencrypted key (e.g. "
                    + "openssl pkey -in KEY -out KEY.plain) and protect it with file permissions");
        }
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws TlsFileException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        throw new TlsFileException(file, "holds a private key that is not an RSA, EC or EdDSA key this JVM can read");
    }

    private static boolean matches(PrivateKey key, PublicKey publicKey) throws TlsFileException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm().equals("Ed448") ? "Ed448" : "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // e.g. RSASSA-PSS: left to the TLS handshake
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key for an RSA certificate
        }
    }

    private static List<Block> blocks(Path file) throws TlsFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, "does not exist; give the path of a PEM file");
        } catch (IOException e) {
            throw new TlsFileException(file, "cannot be read (" + e + "); check its path and permissions", e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        if (out.isEmpty()) {
            throw new TlsFileException(file, "is not a PEM file (no -----BEGIN ...----- block); give PEM, not DER or "
                    + "PKCS#12");
        }
        return out;
    }

    private record Block(String type, String body) {
        byte[] der(Path file) throws TlsFileException {
            StringBuilder base64 = new StringBuilder();
            for (String line : body.split("\r?\n")) {
                if (!line.contains(":")) { // drops RFC 1421 headers such as Proc-Type
                    base64.append(line.trim());
                }
            }
            try {
                return Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new TlsFileException(file, "has a " + type + " block that is not valid base64", e);
            }
        }
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return Der.tagged(0x30, content.toByteArray());
    }

    private static byte[] octetString(byte[] content) {
        return Der.tagged(0x04, content);
    }
}
