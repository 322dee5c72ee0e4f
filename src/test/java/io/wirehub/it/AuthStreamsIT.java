package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import io.wirehub.testing.WsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens over time and from every place a browser can put them, on an HS256 server: a stream is
 * closed when its token expires and a reconnect with a fresh one loses nothing; EventSource's
 * query parameter and cookie work; the admin claim guards the stats; an ES256 JWKS server works.
 */
class AuthStreamsIT {
    private static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        hub = TestHubs.start(Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                new String(SECRET, StandardCharsets.UTF_8),
                "WH_AUTH_JWT_CLOCK_SKEW",
                "0s",
                "WH_AUTH_COOKIE_NAME",
                "wh_token"));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String token(String topics, Instant expires) {
        return Tokens.hs256(
                SECRET,
                Tokens.claims("alice", List.of(topics), List.of(topics), expires)
                        .build());
    }

    private static String token(String topics) {
        return token(topics, Instant.now().plusSeconds(3600));
    }

    @Test
    void anSseStreamIsClosedWhenItsTokenExpiresAndAFreshTokenResumesWithoutLoss() throws Exception {
        long closedBefore = hub.hub().stats().closes(CloseReason.TOKEN_EXPIRED);
        String shortLived = token("exp.sse", Instant.now().plusSeconds(2));
        String lastId;
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=exp.sse&access_token=" + shortLived)) {
            assertEquals(200, sse.status());
            Http.publish(base, "exp.sse", "one", token("exp.*"));
            lastId = sse.take(1, WAIT).getFirst().id();
            SseClient.SseEvent expired = sse.take(1, WAIT).getFirst();
            assertEquals("token_expired", expired.event(), "told why, before the stream ends");
            Eventually.await("the stream ends at expiry", WAIT, (java.util.function.BooleanSupplier) sse::ended);
        }
        assertEquals(closedBefore + 1, hub.hub().stats().closes(CloseReason.TOKEN_EXPIRED));
        Http.publish(base, "exp.sse", "two", token("exp.*")); // while the client had no stream
        try (SseClient sse = SseClient.connect(
                base + "/v1/sse?topic=exp.sse", lastId, Map.of("Authorization", "Bearer " + token("exp.sse")))) {
            assertEquals("two", sse.take(1, WAIT).getFirst().data());
        }
    }

    @Test
    void aWebSocketIsClosedWhenItsTokenExpires() {
        try (WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=exp.ws&access_token="
                + token("exp.ws", Instant.now().plusSeconds(2)))) {
            assertEquals(1008, ws.closeCode(WAIT));
        }
    }

    @Test
    void anExpiredTokenOpensNoStream() {
        SseClient sse = SseClient.connect(base + "/v1/sse?topic=t&access_token="
                + token("t", Instant.now().minusSeconds(5)));
        assertEquals(401, sse.status());
    }

    @Test
    void eventSourceMayCarryItsTokenInTheCookie() throws Exception {
        try (SseClient sse = SseClient.connect(
                base + "/v1/sse?topic=cookie.t", null, Map.of("Cookie", "theme=dark; wh_token=" + token("cookie.*")))) {
            assertEquals(200, sse.status());
            Http.publish(base, "cookie.t", "hello", token("cookie.*"));
            assertEquals("hello", sse.take(1, WAIT).getFirst().data());
        }
    }

    @Test
    void aPublishTakesItsTokenFromTheHeaderOnlyNotACookieOrTheQuery() {
        String token = token("csrf.*");
        Http.Response byCookie = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/csrf.t/events"))
                .header("Cookie", "wh_token=" + token)
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());
        assertEquals(401, byCookie.status(), "a cross-site form post carries the cookie: it must not publish");
        assertEquals(
                401,
                Http.post(base + "/v1/topics/csrf.t/events?access_token=" + token, "x")
                        .status());
    }

    @Test
    void aMalformedAuthorizationHeaderIs401WithAChallenge() {
        Http.Response response = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/t/snapshot"))
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .GET()
                .build());
        assertEquals(401, response.status());
        assertEquals("unauthorized", response.json().get("error").asText());
    }

    @Test
    void statsNeedTheAdminClaim() {
        String admin = Tokens.hs256(
                SECRET,
                Tokens.claims("ops", List.of(), List.of(), Instant.now().plusSeconds(60))
                        .claim("wirehub.admin", true)
                        .build());
        assertEquals(401, Http.get(base + "/v1/stats").status());
        assertEquals(403, get("/v1/stats", token("a.*")).status());
        assertEquals(200, get("/v1/stats", admin).status());
        assertEquals(200, Http.get(base + "/health").status(), "health needs no token: load balancers probe it");
    }

    @Test
    void privateTopicsFollowTheSubject() {
        JWTClaimsSet bob = Tokens.claims(
                        "bob",
                        List.of("user.{sub}.*"),
                        List.of("user.{sub}.*"),
                        Instant.now().plusSeconds(60))
                .build();
        String token = Tokens.hs256(SECRET, bob);
        assertEquals(
                201,
                Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/user.bob.inbox/events"))
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString("x"))
                                .build())
                        .status());
        Http.Response other = get("/v1/topics/user.alice.inbox/snapshot", token);
        assertEquals(403, other.status());
        assertTrue(other.json().get("message").asText().contains("user.alice.inbox"));
    }

    @Test
    void anEs256KeyFromAJwksFileVerifiesTokens() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        Path jwks =
                Files.writeString(Files.createTempFile("wirehub", ".jwks"), new JWKSet(key.toPublicJWK()).toString());
        try (WireHub ecHub = TestHubs.start(Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_JWKS_FILE", jwks.toString()))) {
            String token = Tokens.es256(
                    key,
                    Tokens.claims(
                                    "svc",
                                    List.of("*"),
                                    List.of("*"),
                                    Instant.now().plusSeconds(60))
                            .build());
            String ecBase = TestHubs.base(ecHub);
            assertNotNull(Http.publish(ecBase, "ec.t", "x", token));
            String hsToken = token("*");
            assertEquals(
                    401,
                    Http.send(HttpRequest.newBuilder(URI.create(ecBase + "/v1/topics/ec.t/snapshot"))
                                    .header("Authorization", "Bearer " + hsToken)
                                    .GET()
                                    .build())
                            .status(),
                    "an HS256 token is not accepted");
        } finally {
            Files.deleteIfExists(jwks);
        }
    }

    private static Http.Response get(String path, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build());
    }
}
