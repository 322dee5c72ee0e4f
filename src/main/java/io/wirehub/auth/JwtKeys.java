package io.wirehub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.wirehub.config.ConfigKey;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys tokens are verified with, and the one algorithm each key type allows: a shared secret
 * HS256, an RSA key RS256, an EC P-256 key ES256. Fixing the algorithm by key type is what stops
 * algorithm confusion: a token signed HS256 with an RSA public key as its "secret", or one with
 * {@code alg: none}, names an algorithm no key here accepts.
 */
record JwtKeys(JWKSet keys, Set<JWSAlgorithm> algorithms) {

    /**
     * One configured key (secret or PEM) verifies every token, whatever {@code kid} it names; a
     * JWKS picks the key by {@code kid} (or tries those of the token's algorithm).
     */
    JWSKeySelector<SecurityContext> selector() throws JOSEException {
        if (keys.size() == 1 && algorithms.size() == 1) {
            JWK key = keys.getKeys().getFirst();
            java.security.Key verificationKey = switch (key) {
                case OctetSequenceKey secret -> secret.toSecretKey();
                case RSAKey rsa -> rsa.toPublicKey();
                case ECKey ec -> ec.toPublicKey();
                default -> throw new IllegalStateException("unexpected key type " + key.getKeyType());
            };
            return new SingleKeyJWSKeySelector<>(algorithms.iterator().next(), verificationKey);
        }
        return new JWSVerificationKeySelector<>(algorithms, new ImmutableJWKSet<>(keys));
    }

    static JwtKeys load(Settings.Auth auth) {
        try {
            if (!auth.jwtSecret().isEmpty()) {
                return of(new JWKSet(new OctetSequenceKey.Builder(auth.jwtSecret().getBytes(StandardCharsets.UTF_8)).build()));
            }
            if (!auth.publicKeyFile().isEmpty()) {
                return of(new JWKSet(pem(Path.of(auth.publicKeyFile()))));
            }
            return of(JWKSet.load(Path.of(auth.jwksFile()).toFile()).toPublicJWKSet());
        } catch (IOException | java.text.ParseException | GeneralSecurityException | IllegalArgumentException e) {
            ConfigKey key = !auth.publicKeyFile().isEmpty() ? ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE : ConfigKey.AUTH_JWT_JWKS_FILE;
            String file = !auth.publicKeyFile().isEmpty() ? auth.publicKeyFile() : auth.jwksFile();
            throw new InvalidSettingsException(List.of(key.key() + " (" + key.env() + "): '" + file + "' cannot be read as "
                    + (key == ConfigKey.AUTH_JWT_JWKS_FILE ? "a JWKS (JSON Web Key Set)" : "a PEM public key (RSA, or EC P-256)")
                    + ": " + e.getMessage()));
        }
    }

    private static JwtKeys of(JWKSet keys) {
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        for (JWK key : keys.getKeys()) {
            if (key.getKeyType() == KeyType.OCT) {
                algorithms.add(JWSAlgorithm.HS256);
            } else if (key.getKeyType() == KeyType.RSA) {
                algorithms.add(JWSAlgorithm.RS256);
            } else if (key.getKeyType() == KeyType.EC && Curve.P_256.equals(((ECKey) key).getCurve())) {
                algorithms.add(JWSAlgorithm.ES256);
            }
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("no RSA or EC P-256 public key in it");
        }
        return new JwtKeys(keys, Set.copyOf(algorithms));
    }

    /** A {@code -----BEGIN PUBLIC KEY-----} file (X.509 SubjectPublicKeyInfo), RSA or EC. */
    private static JWK pem(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block (a private key or a certificate will not do)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        PublicKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            key = KeyFactory.getInstance("EC").generatePublic(spec);
        }
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        ECPublicKey ec = (ECPublicKey) key;
        return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
    }
}
