package io.wirehub.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Self-signed certificates for 127.0.0.1 and localhost, made with the JDK's own keytool and written
 * as the PEM files an operator hands wirehub ({@code server.tls}): the certificate, and the key in
 * PKCS#8. {@link #client()} trusts any server and remembers the certificate it was shown, so a
 * test can tell which one a server serves.
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {}

    /** The PEM pair of one certificate. */
    public record Pem(Path cert, Path key) {
        /** Puts this pair where {@code other}'s files are, each file replaced at once (as a secret update does). */
        public void copyOver(Pem other) throws Exception {
            Files.copy(
                    cert,
                    other.cert.resolveSibling(other.cert.getFileName() + ".new"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(
                    key,
                    other.key.resolveSibling(other.key.getFileName() + ".new"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    other.cert.resolveSibling(other.cert.getFileName() + ".new"),
                    other.cert,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(
                    other.key.resolveSibling(other.key.getFileName() + ".new"),
                    other.key,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** A new EC P-256 certificate whose subject is {@code CN=name}, valid for two days. */
    public static Pem create(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + name,
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-validity",
                        "2",
                        "-keystore",
                        store.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) keys.getKey("server", PASSWORD);
        X509Certificate cert = (X509Certificate) keys.getCertificate("server");
        Pem pem = new Pem(dir.resolve(name + ".crt.pem"), dir.resolve(name + ".key.pem"));
        Files.writeString(pem.cert(), pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(pem.key(), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8, as keys from a PKCS12 store are
        return pem;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** A TLS client context that trusts any server, and the subject of the last certificate it was shown. */
    public record Client(SSLContext context, AtomicReference<String> lastSubject) {}

    public static Client client() throws Exception {
        AtomicReference<String> subject = new AtomicReference<>();
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                subject.set(chain[0].getSubjectX500Principal().getName());
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return new Client(context, subject);
    }
}
