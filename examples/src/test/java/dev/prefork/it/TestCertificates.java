package dev.prefork.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with the openssl command line: a CA, and server or client certificates it signs for
 * localhost and 127.0.0.1, with the key in the form asked for.
 */
final class TestCertificates {
    /** Where the key file's path goes in a key command. */
    private static final String OUT = "{out}";

    /** How a private key is written: the forms {@code --keyfile} accepts. */
    enum KeyForm {
        RSA_PKCS8("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", OUT),
        RSA_PKCS1("genrsa", "-traditional", "-out", OUT, "2048"),
        EC_SEC1("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", OUT),
        EC_PKCS8("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", OUT);

        final List<String> command;

        KeyForm(String... command) {
            this.command = List.of(command);
        }
    }

    final Path dir;
    final Path caCert;
    final Path caKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA in {@code dir}. */
    static TestCertificates newCa(Path dir) throws IOException {
        TestCertificates certs = new TestCertificates(dir);
        key(certs.caKey, KeyForm.EC_PKCS8);
        openssl("req", "-x509", "-new", "-key", certs.caKey.toString(), "-out", certs.caCert.toString(), "-days", "3",
                "-subj", "/CN=Prefork Test CA");
        return certs;
    }

    /** A key pair: {@code name}.pem (certificate signed by the CA) and {@code name}.key. */
    record Issued(Path cert, Path key) {
    }

    /** A server (or client) certificate for localhost and 127.0.0.1, with common name {@code name}. */
    Issued issue(String name, KeyForm form, int days) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        key(key, form);
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", Integer.toString(days), "-extfile", ext.toString());
        return new Issued(cert, key);
    }

    static void key(Path out, KeyForm form) throws IOException {
        openssl(form.command.stream().map(arg -> arg.equals(OUT) ? out.toString() : arg).toArray(String[]::new));
    }

    /** Runs openssl with the arguments; its output, or an exception with it when it fails. */
    static String openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        return Commands.run(cmd, null, 30).requireSuccess();
    }

    /** Commands run by the tests, with a deadline; the output is stdout and stderr together. */
    static final class Commands {
        private Commands() {
        }

        record Result(int exit, String output, List<String> command) {
            String requireSuccess() throws IOException {
                if (exit != 0) {
                    throw new IOException(command + " exited " + exit + ":\n" + output);
                }
                return output;
            }
        }

        static Result run(List<String> cmd, String stdin, long timeoutSeconds) throws IOException {
            Path out = Files.createTempFile("prefork-it-cmd-", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                try (var in = p.getOutputStream()) {
                    if (stdin != null) {
                        in.write(stdin.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                }
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new IOException(cmd + " did not finish within " + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readString(out), cmd);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(cmd + " interrupted", e);
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }
}
