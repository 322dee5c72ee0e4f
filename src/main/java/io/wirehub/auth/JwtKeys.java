package io.wirehub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import io.wirehub.config.ConfigKey;
import io.wirehub.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys tokens are verified with, and the one algorithm each key type allows: a shared secret
 * HS256, an RSA key RS256, an EC P-256 key ES256. Fixing the algorithm by key type is what stops
 * algorithm confusion: a token signed HS256 with an RSA public key as its "secret", or one with
 * {@code alg: none}, names an algorithm no key here accepts.
 *
 * <p>Several keys may be in force at once, so that a rotation never refuses a live token: the
 * secret and the previous secret, several PEM blocks, a JWKS's keys. Configured keys (secrets,
 * PEM) are tried whatever {@code kid} the token names; a JWKS picks its key by {@code kid} (or
 * tries those of the token's algorithm). Immutable: a changed key file makes a new one.
 */
final class JwtKeys {
    private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String PEM_END = "-----END PUBLIC KEY-----";

    private final JWKSet keys;
    private final Set<JWSAlgorithm> algorithms;
    private final boolean byKid;
    private final JWSVerificationKeySelector<SecurityContext> jwks; // byKid only

    private JwtKeys(JWKSet keys, boolean byKid) {
        this.keys = keys;
        this.byKid = byKid;
        Set<JWSAlgorithm> found = new HashSet<>();
        for (JWK key : keys.getKeys()) {
            JWSAlgorithm algorithm = algorithmOf(key);
            if (algorithm != null) {
                found.add(algorithm);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no RSA or EC P-256 public key in it");
        }
        this.algorithms = Set.copyOf(found);
        this.jwks = byKid ? new JWSVerificationKeySelector<>(algorithms, new ImmutableJWKSet<>(keys)) : null;
    }

    Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    int size() {
        return keys.size();
    }

    /** The keys a token with this header may have been signed with: none when its algorithm is not one of ours. */
    List<? extends Key> candidates(JWSHeader header) throws KeySourceException {
        if (!algorithms.contains(header.getAlgorithm())) {
            return List.of();
        }
        if (byKid) {
            return jwks.selectJWSKeys(header, null);
        }
        List<Key> out = new ArrayList<>();
        for (JWK key : keys.getKeys()) {
            if (header.getAlgorithm().equals(algorithmOf(key))) {
                out.add(verificationKey(key));
            }
        }
        return out;
    }

    /** The HS256 keys: {@code auth.jwt.secret}, and {@code previous_secret} when set. */
    static JwtKeys secrets(Settings.Auth auth) {
        List<JWK> secrets = new ArrayList<>();
        for (String secret : List.of(auth.jwtSecret(), auth.previousSecret())) {
            if (!secret.isEmpty()) {
                secrets.add(new OctetSequenceKey.Builder(secret.getBytes(StandardCharsets.UTF_8)).build());
            }
        }
        return new JwtKeys(new JWKSet(secrets), false);
    }

    /** The key file of this configuration (public key or JWKS), or null when keys are secrets. */
    static Path keyFile(Settings.Auth auth) {
        if (!auth.publicKeyFile().isEmpty()) {
            return Path.of(auth.publicKeyFile());
        }
        return auth.jwksFile().isEmpty() ? null : Path.of(auth.jwksFile());
    }

    /**
     * The keys in this content of the configured key file.
     *
     * @throws IllegalArgumentException saying why it holds no usable key
     */
    static JwtKeys fromFile(Settings.Auth auth, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        try {
            if (!auth.publicKeyFile().isEmpty()) {
                return new JwtKeys(new JWKSet(pem(text)), false);
            }
            return new JwtKeys(JWKSet.parse(text).toPublicJWKSet(), true);
        } catch (ParseException | GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** One line naming the key file's key and what it must hold, with the reason; no key material. */
    static String unreadable(Settings.Auth auth, Exception e) {
        ConfigKey key =
                !auth.publicKeyFile().isEmpty() ? ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE : ConfigKey.AUTH_JWT_JWKS_FILE;
        return key.key() + " (" + key.env() + "): '" + keyFile(auth) + "' cannot be read as "
                + (key == ConfigKey.AUTH_JWT_JWKS_FILE
                        ? "a JWKS (JSON Web Key Set)"
                        : "PEM public keys (RSA, or EC P-256)")
                + ": " + e.getMessage();
    }

    private static JWSAlgorithm algorithmOf(JWK key) {
        if (KeyType.OCT.equals(key.getKeyType())) {
            return JWSAlgorithm.HS256;
        } else if (KeyType.RSA.equals(key.getKeyType())) {
            return JWSAlgorithm.RS256;
        } else if (KeyType.EC.equals(key.getKeyType()) && Curve.P_256.equals(((ECKey) key).getCurve())) {
            return JWSAlgorithm.ES256;
        }
        return null;
    }

    private static Key verificationKey(JWK key) throws KeySourceException {
        try {
            return switch (key) {
                case OctetSequenceKey secret -> secret.toSecretKey();
                case RSAKey rsa -> rsa.toPublicKey();
                case ECKey ec -> ec.toPublicKey();
                default -> throw new IllegalStateException("unexpected key type " + key.getKeyType());
            };
        } catch (JOSEException e) {
            throw new KeySourceException("the configured key cannot verify signatures: " + e.getMessage(), e);
        }
    }

    /**
     * Every {@code -----BEGIN PUBLIC KEY-----} block of the file (X.509 SubjectPublicKeyInfo), RSA
     * or EC: two blocks while a rotation is under way.
     */
    private static List<JWK> pem(String text) throws GeneralSecurityException {
        List<JWK> keys = new ArrayList<>();
        int from = 0;
        int begin;
        while ((begin = text.indexOf(PEM_BEGIN, from)) >= 0) {
            int end = text.indexOf(PEM_END, begin);
            if (end < 0) {
                throw new IllegalArgumentException("a " + PEM_BEGIN + " block has no " + PEM_END);
            }
            keys.add(pemKey(Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end))));
            from = end + PEM_END.length();
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "no " + PEM_BEGIN + " block (a private key or a certificate will not do)");
        }
        return keys;
    }

    private static JWK pemKey(byte[] der) throws GeneralSecurityException {
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
