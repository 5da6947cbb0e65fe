package dev.prefork.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The PEM reader on files written by openssl (src/test/resources/tls: self-signed certificates valid until 2125,
 * one expired in 2020): every key form it accepts, and each way a file can be wrong, named in the error.
 */
class PemFilesTest {

    private static Path file(String name) {
        try {
            return Path.of(Objects.requireNonNull(PemFilesTest.class.getResource("/tls/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{1} for {0}")
    @CsvSource({
            "rsa.pem, rsa-pkcs8.key, RSA, CN=prefork-test-rsa",
            "rsa.pem, rsa-pkcs1.key, RSA, CN=prefork-test-rsa",
            "ec.pem,  ec-pkcs8.key,  EC,  CN=prefork-test-ec",
            "ec.pem,  ec-sec1.key,   EC,  CN=prefork-test-ec"})
    void everyKeyFormLoadsAndMatchesItsCertificate(String cert, String key, String algorithm, String subject)
            throws TlsFileException {
        TlsMaterial material = PemFiles.load(file(cert), file(key), null);

        assertThat(material.key().getAlgorithm()).isEqualTo(algorithm);
        assertThat(material.chain()).hasSize(1);
        assertThat(material.leaf().getSubjectX500Principal().getName()).isEqualTo(subject);
        assertThat(material.trustedCas()).isEmpty();
        assertThat(material.notAfter()).isEqualTo(material.leaf().getNotAfter().toInstant());
    }

    @Test
    void theKeyMayBeInTheCertificateFile() throws TlsFileException {
        TlsMaterial material = PemFiles.load(file("rsa-combined.pem"), null, null);

        assertThat(material.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(material.chain()).hasSize(1);
    }

    @Test
    void caCertificatesAreReadWhenGiven() throws TlsFileException {
        TlsMaterial material = PemFiles.load(file("rsa.pem"), file("rsa-pkcs8.key"), file("ec.pem"));

        assertThat(material.trustedCas()).hasSize(1);
        assertThat(material.trustedCas().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=prefork-test-ec");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        assertRefused(() -> PemFiles.load(file("rsa.pem"), file("other-rsa-pkcs8.key"), null), file("other-rsa-pkcs8.key"),
                "does not match the certificate in " + file("rsa.pem"));
        assertRefused(() -> PemFiles.load(file("rsa.pem"), file("ec-sec1.key"), null), file("ec-sec1.key"),
                "does not match the certificate");
    }

    @Test
    void encryptedKeysAreRefused() {
        assertRefused(() -> PemFiles.privateKey(file("encrypted-pkcs8.key")), file("encrypted-pkcs8.key"),
                "holds an encrypted private key; give an unencrypted one");
        assertRefused(() -> PemFiles.privateKey(file("encrypted-pkcs1.key")), file("encrypted-pkcs1.key"),
                "holds an encrypted RSA PRIVATE KEY; give an unencrypted key");
    }

    @Test
    void garbageIsNotAPemFile() {
        assertRefused(() -> PemFiles.certificates(file("garbage.txt")), file("garbage.txt"), "is not a PEM file");
        assertRefused(() -> PemFiles.privateKey(file("garbage.txt")), file("garbage.txt"), "is not a PEM file");
        assertRefused(() -> PemFiles.certificates(file("bad-certificate.pem")), file("bad-certificate.pem"),
                "has a CERTIFICATE block that is not a valid X.509 certificate");
    }

    @Test
    void aFileWithoutWhatIsAskedForSaysSo() {
        assertRefused(() -> PemFiles.privateKey(file("rsa.pem")), file("rsa.pem"), "holds no PEM private key");
        assertRefused(() -> PemFiles.certificates(file("rsa-pkcs8.key")), file("rsa-pkcs8.key"),
                "holds no PEM certificate");
        Path missing = file("rsa.pem").resolveSibling("missing.pem");
        assertRefused(() -> PemFiles.load(missing, null, null), missing, "does not exist");
    }

    @Test
    void anEcKeyWithoutItsCurveIsRefused() {
        assertRefused(() -> PemFiles.privateKey(file("ec-sec1-no-curve.key")), file("ec-sec1-no-curve.key"),
                "has an EC PRIVATE KEY without its curve parameters");
    }

    @Test
    void anExpiredCertificateIsRefused() {
        assertRefused(() -> PemFiles.load(file("expired.pem"), file("ec-pkcs8.key"), null), file("expired.pem"),
                "holds a certificate that expired on 2020-01-02T00:00:00Z");
    }

    private interface Load {
        Object run() throws TlsFileException;
    }

    private static void assertRefused(Load load, Path file, String problem) {
        assertThatThrownBy(load::run).isInstanceOfSatisfying(TlsFileException.class, e -> {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.problem()).contains(problem);
            assertThat(e.getMessage()).startsWith(file + " ").doesNotContain("\n");
        });
    }
}
