package io.wirehub.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Mints JWTs the way a token issuer would (and the way an attacker would forge them). */
public final class Tokens {
    private Tokens() {}

    /** Claims with wirehub permissions, valid from now until {@code expires}. */
    public static JWTClaimsSet.Builder claims(
            String subject, List<String> subscribe, List<String> publish, Instant expires) {
        return new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(Date.from(expires))
                .claim("wirehub.subscribe", subscribe)
                .claim("wirehub.publish", publish);
    }

    public static String hs256(byte[] secret, JWTClaimsSet claims) {
        return sign(new JWSHeader(JWSAlgorithm.HS256), claims, () -> new MACSigner(secret));
    }

    /** HS256 with a {@code kid} in the header, as issuers that rotate keys write it. */
    public static String hs256(byte[] secret, String keyId, JWTClaimsSet claims) {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(), claims, () -> new MACSigner(secret));
    }

    public static String rs256(RSAKey key, JWTClaimsSet claims) {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                claims,
                () -> new RSASSASigner(key));
    }

    public static String es256(ECKey key, JWTClaimsSet claims) {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                claims,
                () -> new ECDSASigner(key));
    }

    /** {@code alg: none}: no signature at all. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /** Writes public keys as a PEM file (what an operator points auth.jwt.public_key_file at), one block each. */
    public static Path pem(PublicKey key, Path file) {
        return pem(List.of(key), file);
    }

    public static Path pem(List<PublicKey> keys, Path file) {
        StringBuilder pem = new StringBuilder();
        for (PublicKey key : keys) {
            pem.append("-----BEGIN PUBLIC KEY-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(key.getEncoded()))
                    .append("\n-----END PUBLIC KEY-----\n");
        }
        try {
            return Files.writeString(file, pem.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface SignerSource {
        com.nimbusds.jose.JWSSigner get() throws JOSEException;
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, SignerSource signer) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer.get());
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
