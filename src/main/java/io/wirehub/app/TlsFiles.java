package io.wirehub.app;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.wirehub.config.ConfigKey;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The public listener's TLS, read from the PEM files of {@code server.tls}: the certificate chain
 * (the server's own first) and its PKCS#8 private key. A file that is missing, holds no key or no
 * certificate, or a key that is not the certificate's, is refused in one line naming the key,
 * before the server starts (or, on a reload, before the running certificate is replaced).
 */
final class TlsFiles {
    private TlsFiles() {}

    static Tls read(Settings.Tls settings) {
        PrivateKey key = privateKey(Path.of(settings.keyFile()));
        List<X509Certificate> chain = certificates(Path.of(settings.certFile()));
        if (!matches(key, chain.getFirst().getPublicKey())) {
            throw refused(
                    ConfigKey.TLS_KEY_FILE,
                    settings.keyFile(),
                    "is not the private key of the first certificate in " + ConfigKey.TLS_CERT_FILE.key() + " ('"
                            + settings.certFile() + "'); expected the key the certificate was issued for");
        }
        return Tls.builder().privateKey(key).privateKeyCertChain(chain).build();
    }

    private static PrivateKey privateKey(Path file) {
        try {
            return Keys.builder()
                    .pem(pem -> pem.key(Resource.create(file)))
                    .build()
                    .privateKey()
                    .orElseThrow(() -> new IllegalArgumentException("no private key in it"));
        } catch (RuntimeException e) {
            throw refused(
                    ConfigKey.TLS_KEY_FILE,
                    file.toString(),
                    "cannot be read as a PEM private key (" + why(e, file)
                            + "); expected -----BEGIN PRIVATE KEY----- (PKCS#8; convert with: openssl pkcs8 -topk8 -nocrypt -in old.pem)");
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        try {
            List<X509Certificate> chain = Keys.builder()
                    .pem(pem -> pem.certChain(Resource.create(file)))
                    .build()
                    .certChain();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in it");
            }
            return chain;
        } catch (RuntimeException e) {
            throw refused(
                    ConfigKey.TLS_CERT_FILE,
                    file.toString(),
                    "cannot be read as a PEM certificate chain (" + why(e, file)
                            + "); expected -----BEGIN CERTIFICATE----- blocks, the server's certificate first");
        }
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    default -> key.getAlgorithm(); // Ed25519, Ed448: the key's algorithm is the signature's
                };
        try {
            byte[] probe = "wirehub".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static String why(RuntimeException e, Path file) {
        if (!Files.isReadable(file)) {
            return "not a readable file";
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static InvalidSettingsException refused(ConfigKey key, String file, String problem) {
        return new InvalidSettingsException(List.of(key.key() + " (" + key.env() + "): '" + file + "' " + problem));
    }
}
