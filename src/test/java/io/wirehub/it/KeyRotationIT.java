package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.LogWatch;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Rotating the keys tokens are signed with, as an operator does it (docs/security.md): two HS256
 * secrets accepted at once, and a JWKS or PEM file edited while the server runs, with no restart.
 */
class KeyRotationIT {
    private static final String OLD_SECRET = "old-secret-old-secret-old-secret-0123456789";
    private static final String NEW_SECRET = "new-secret-new-secret-new-secret-0123456789";
    private static final String OTHER_SECRET = "not-ours-not-ours-not-ours-not-ours-0123456";
    private static final Duration WAIT = Duration.ofSeconds(10);
    // The file is read every 100 ms here (10 s by default); each wait below allows 100 times that.
    private static final Map<String, String> WATCH_FAST =
            Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_KEY_FILE_CHECK", "100ms");

    @Test
    void tokensSignedWithTheSecretOrThePreviousSecretAreBothAcceptedDuringTheOverlap() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of(
                "WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_SECRET", NEW_SECRET, "WH_AUTH_JWT_PREVIOUS_SECRET", OLD_SECRET))) {
            String base = TestHubs.base(hub);
            String oldToken = Tokens.hs256(bytes(OLD_SECRET), claims());
            String newToken = Tokens.hs256(bytes(NEW_SECRET), claims());

            assertEquals(201, publish(base, oldToken).status(), "a token of the old secret, still alive");
            assertEquals(201, publish(base, newToken).status(), "a token of the new secret");
            assertEquals(
                    201,
                    publish(base, Tokens.hs256(bytes(OLD_SECRET), "2026-11", claims()))
                            .status(),
                    "a kid in the header does not matter for configured secrets");
            assertEquals(
                    401,
                    publish(base, Tokens.hs256(bytes(OTHER_SECRET), claims())).status(),
                    "any other secret is refused");
            try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=rotation.a&access_token=" + oldToken)) {
                assertEquals(200, stream.status(), stream.errorBody());
                Http.publish(base, "rotation.a", "to the old token's stream", newToken);
                assertEquals(
                        "to the old token's stream",
                        stream.take(1, WAIT).getFirst().data());
            }
        }
        // The rotation's last step: the previous secret removed (a restart, since secrets come from the environment).
        try (WireHub hub = TestHubs.start(Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_SECRET", NEW_SECRET))) {
            String base = TestHubs.base(hub);
            assertEquals(
                    401,
                    publish(base, Tokens.hs256(bytes(OLD_SECRET), claims())).status(),
                    "the old secret is gone");
            assertEquals(
                    201,
                    publish(base, Tokens.hs256(bytes(NEW_SECRET), claims())).status());
        }
    }

    @Test
    void aJwksFileEditedWhileRunningAcceptsTheAddedKeyAndRefusesTheRemovedOne() throws Exception {
        RSAKey oldKey = new RSAKeyGenerator(2048).keyID("2026-11").generate();
        RSAKey newKey = new RSAKeyGenerator(2048).keyID("2026-12").generate();
        Path jwks = Files.createTempFile("wirehub-rotation", ".jwks");
        replace(jwks, new JWKSet(List.<JWK>of(oldKey.toPublicJWK())).toString());
        Map<String, String> env = new HashMap<>(WATCH_FAST);
        env.put("WH_AUTH_JWT_JWKS_FILE", jwks.toString());
        try (WireHub hub = TestHubs.start(env);
                LogWatch log = LogWatch.attach("io.wirehub.auth", Level.WARNING)) {
            String base = TestHubs.base(hub);
            String oldToken = Tokens.rs256(oldKey, claims());
            String newToken = Tokens.rs256(newKey, claims());
            assertEquals(201, publish(base, oldToken).status());
            assertEquals(401, publish(base, newToken).status(), "not yet in the file");

            // 1. the new key is added beside the old one
            replace(jwks, new JWKSet(List.<JWK>of(oldKey.toPublicJWK(), newKey.toPublicJWK())).toString());
            awaitStatus(base, newToken, 201, "the added key is taken without a restart");
            assertEquals(201, publish(base, oldToken).status(), "the old key is still in force during the overlap");

            // A half-written file holds no key: it is refused and the keys in force stay.
            replace(jwks, "{\"keys\":[");
            Eventually.await("the broken file is reported", WAIT, () -> log.records().stream()
                    .anyMatch(r -> r.contains("cannot be read as a JWKS")));
            assertEquals(201, publish(base, oldToken).status(), "a broken file locks nobody out");
            assertEquals(201, publish(base, newToken).status());

            // 2. the old key is removed once its tokens have expired
            replace(jwks, new JWKSet(List.<JWK>of(newKey.toPublicJWK())).toString());
            awaitStatus(base, oldToken, 401, "the removed key is refused");
            assertEquals(201, publish(base, newToken).status());
        } finally {
            Files.deleteIfExists(jwks);
        }
    }

    @Test
    void aPemFileReplacedWhileRunningAcceptsTheNewKeyAndRefusesTheOldOneOnceRemoved() throws Exception {
        ECKey oldKey = new ECKeyGenerator(Curve.P_256).generate();
        ECKey newKey = new ECKeyGenerator(Curve.P_256).generate();
        Path pem = Files.createTempFile("wirehub-rotation", ".pem");
        writePem(pem, List.<PublicKey>of(oldKey.toECPublicKey()));
        Map<String, String> env = new HashMap<>(WATCH_FAST);
        env.put("WH_AUTH_JWT_PUBLIC_KEY_FILE", pem.toString());
        try (WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            String oldToken = Tokens.es256(oldKey, claims());
            String newToken = Tokens.es256(newKey, claims());
            assertEquals(201, publish(base, oldToken).status());
            assertEquals(401, publish(base, newToken).status());

            writePem(
                    pem, List.<PublicKey>of(oldKey.toECPublicKey(), newKey.toECPublicKey())); // two blocks: the overlap
            awaitStatus(base, newToken, 201, "the second PEM block is taken");
            assertEquals(201, publish(base, oldToken).status());

            writePem(pem, List.<PublicKey>of(newKey.toECPublicKey()));
            awaitStatus(base, oldToken, 401, "the removed block's key is refused");
            assertEquals(201, publish(base, newToken).status());
        } finally {
            Files.deleteIfExists(pem);
        }
    }

    private static JWTClaimsSet claims() {
        return Tokens.claims(
                        "rotator",
                        List.of("rotation.*"),
                        List.of("rotation.*"),
                        Instant.now().plusSeconds(3600))
                .build();
    }

    private static Http.Response publish(String base, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/rotation.a/events"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());
    }

    private static void awaitStatus(String base, String token, int status, String what) {
        Eventually.await(what, WAIT, () -> {
            Http.Response response = publish(base, token);
            return response.status() == status ? null : response.status() + " " + response.body();
        });
    }

    /** As an operator's tooling replaces a file: written beside it, then moved over it at once. */
    private static void replace(Path file, String content) throws Exception {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writePem(Path file, List<PublicKey> keys) throws Exception {
        Path next = Tokens.pem(keys, file.resolveSibling(file.getFileName() + ".next"));
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] bytes(String secret) {
        return secret.getBytes(StandardCharsets.UTF_8);
    }
}
