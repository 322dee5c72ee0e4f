package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import io.wirehub.testing.WsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of token against every way in, on a server keyed with an RSA public key (RS256):
 * each answers the exact status, and no byte of the forbidden topic reaches a refused client.
 */
class AuthMatrixIT {
    private static final String SECRET_TOPIC = "vault.room";
    private static final String OTHER_TOPIC = "lobby.room";
    private static final String SECRET_DATA = "SECRET-PAYLOAD";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static WireHub hub;
    private static String base;
    private static RSAKey key;
    private static Path pemFile;
    private static String firstId; // the SSE id of the first secret event, to replay after

    enum Row {
        NO_TOKEN(401),
        EXPIRED(401),
        BAD_SIGNATURE(401),
        ALG_NONE(401),
        HS_RS_CONFUSION(401),
        OTHER_TOPIC(403),
        VALID(200);

        final int status;

        Row(int status) {
            this.status = status;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        pemFile = Tokens.pem(key.toRSAPublicKey(), Files.createTempFile("wirehub-rsa", ".pem"));
        hub = TestHubs.start(Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_PUBLIC_KEY_FILE",
                pemFile.toString(),
                "WH_AUTH_JWT_CLOCK_SKEW",
                "0s",
                "WH_AUTH_JWT_ISSUER",
                "https://issuer.test",
                "WH_AUTH_JWT_AUDIENCE",
                "wirehub"));
        base = TestHubs.base(hub);
        for (int i = 1; i <= 3; i++) {
            Http.Response published = publish(token(Row.VALID), SECRET_TOPIC, SECRET_DATA + "-" + i);
            assertEquals(201, published.status(), published.body());
        }
        try (SseClient sse =
                SseClient.connect(base + "/v1/sse?topic=" + SECRET_TOPIC + "&access_token=" + token(Row.VALID), "0")) {
            firstId = sse.take(1, WAIT).getFirst().id();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
        Files.deleteIfExists(pemFile);
    }

    /** A token of the row's kind; it permits the secret topic only when it is VALID. */
    static String token(Row row) {
        Instant in1h = Instant.now().plusSeconds(3600);
        List<String> topics = row == Row.OTHER_TOPIC ? List.of("lobby.*") : List.of("vault.*", "lobby.*");
        var claims = Tokens.claims(
                        "alice",
                        topics,
                        topics,
                        row == Row.EXPIRED ? Instant.now().minusSeconds(60) : in1h)
                .issuer("https://issuer.test")
                .audience("wirehub")
                .build();
        try {
            return switch (row) {
                case NO_TOKEN -> null;
                case BAD_SIGNATURE ->
                    Tokens.rs256(new RSAKeyGenerator(2048).keyID("k1").generate(), claims);
                case ALG_NONE -> Tokens.unsigned(claims);
                // The classic confusion: HMAC-sign with the server's public key (which is public) as the secret.
                case HS_RS_CONFUSION -> Tokens.hs256(Files.readAllBytes(pemFile), claims);
                case EXPIRED, OTHER_TOPIC, VALID -> Tokens.rs256(key, claims);
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void publishAnswersTheRowsStatusAndStoresNothingWhenRefused(Row row) {
        long before = secretSeq();
        Http.Response response = publish(token(row), SECRET_TOPIC, "x");
        assertEquals(row == Row.VALID ? 201 : row.status, response.status(), response.body());
        assertEquals(row == Row.VALID ? before + 1 : before, secretSeq());
        assertRefusalShape(row, response);
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void batchPublishAnswersTheRowsStatusAndIsAllOrNothing(Row row) {
        long before = secretSeq();
        String body = "[{\"topic\":\"" + OTHER_TOPIC + "\",\"data\":\"a\"},{\"topic\":\"" + SECRET_TOPIC
                + "\",\"data\":\"b\"}]";
        Http.Response response =
                Http.send(withToken(HttpRequest.newBuilder(URI.create(base + "/v1/events")), token(row))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
        assertEquals(row == Row.VALID ? 201 : row.status, response.status(), response.body());
        assertEquals(row == Row.VALID ? before + 1 : before, secretSeq());
        assertRefusalShape(row, response);
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void sseAnswersTheRowsStatusAndStreamsNothingWhenRefused(Row row) throws Exception {
        try (SseClient sse =
                SseClient.connect(base + "/v1/sse?topic=" + SECRET_TOPIC, null, authorization(token(row)))) {
            assertEquals(row.status, sse.status(), sse.errorBody());
            if (row == Row.VALID) {
                Http.publish(base, SECRET_TOPIC, SECRET_DATA + "-live", token(row));
                assertTrue(sse.take(1, WAIT).getFirst().data().startsWith(SECRET_DATA));
            } else {
                assertFalse(sse.errorBody().contains(SECRET_DATA));
                assertEquals(
                        row.status == 401 ? "unauthorized" : "forbidden",
                        Http.JSON.readTree(sse.errorBody()).get("error").asText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void webSocketUpgradeAnswersTheRowsStatus(Row row) throws Exception {
        String url = wsUrl(SECRET_TOPIC, token(row));
        if (row == Row.VALID) {
            try (WsClient ws = WsClient.connect(url)) {
                assertTrue(ws.ready().get("topics").has(SECRET_TOPIC));
            }
            return;
        }
        assertEquals(row.status, refusedUpgrade(url));
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void webSocketSubscribeOpIsCheckedAgainstTheToken(Row row) throws Exception {
        String url = wsUrl(OTHER_TOPIC, token(row));
        if (row.status == 401) {
            assertEquals(401, refusedUpgrade(url), "no connection to send the op on");
            return;
        }
        try (WsClient ws = WsClient.connect(url)) {
            ws.send("{\"op\":\"subscribe\",\"topic\":\"" + SECRET_TOPIC + "\"}");
            if (row == Row.VALID) {
                assertEquals("subscribed", ws.nextAck(WAIT).get("op").asText());
            } else {
                JsonNode error = ws.next(WAIT);
                assertEquals("forbidden", error.get("error").asText());
                assertTrue(error.get("message").asText().contains(SECRET_TOPIC), "names the topic");
            }
            Http.publish(base, SECRET_TOPIC, SECRET_DATA + "-op", token(Row.VALID));
            Http.publish(base, OTHER_TOPIC, "sentinel", token(Row.VALID));
            // Events come in publish order: once the sentinel is here, the secret one came or never will.
            JsonNode message;
            boolean sawSecret = false;
            while (!(message = assertNext(ws)).path("data").asText().equals("sentinel")) {
                sawSecret |= message.toString().contains(SECRET_DATA);
            }
            assertEquals(row == Row.VALID, sawSecret);
        }
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void snapshotAnswersTheRowsStatus(Row row) {
        Http.Response response = Http.send(withToken(
                        HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + SECRET_TOPIC + "/snapshot")),
                        token(row))
                .GET()
                .build());
        assertEquals(row.status, response.status(), response.body());
        assertEquals(row == Row.VALID, response.body().contains(SECRET_DATA));
        assertRefusalShape(row, response);
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void replayAfterLastEventIdAnswersTheRowsStatus(Row row) throws Exception {
        try (SseClient sse =
                SseClient.connect(base + "/v1/sse?topic=" + SECRET_TOPIC, firstId, authorization(token(row)))) {
            assertEquals(row.status, sse.status(), sse.errorBody());
            if (row == Row.VALID) {
                assertEquals(
                        SECRET_DATA + "-2", sse.take(1, WAIT).getFirst().data(), "replays what came after the cursor");
            } else {
                assertFalse(sse.errorBody().contains(SECRET_DATA));
            }
        }
    }

    private static JsonNode assertNext(WsClient ws) throws InterruptedException {
        JsonNode message = ws.next(WAIT);
        assertNotNull(message, "the sentinel never came");
        return message;
    }

    private static void assertRefusalShape(Row row, Http.Response response) {
        if (row == Row.VALID) {
            return;
        }
        JsonNode error = response.json();
        assertEquals(row.status, error.get("status").asInt());
        assertEquals(
                row.status == 401 ? "unauthorized" : "forbidden",
                error.get("error").asText());
        if (row.status == 403) {
            assertTrue(error.get("message").asText().contains(SECRET_TOPIC), "the 403 names the topic: " + error);
        }
        assertFalse(response.body().contains(SECRET_DATA));
    }

    private static int refusedUpgrade(String url) {
        try {
            WsClient.connect(url).close();
        } catch (CompletionException e) {
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
        throw new AssertionError("the upgrade was accepted");
    }

    private static String wsUrl(String topic, String token) {
        return "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic
                + (token == null ? "" : "&access_token=" + token);
    }

    private static long secretSeq() {
        return Http.send(withToken(
                                HttpRequest.newBuilder(
                                        URI.create(base + "/v1/topics/" + SECRET_TOPIC + "/snapshot?limit=1")),
                                token(Row.VALID))
                        .GET()
                        .build())
                .json()
                .get("seq")
                .asLong();
    }

    private static Http.Response publish(String token, String topic, String data) {
        return Http.send(withToken(HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events")), token)
                .POST(HttpRequest.BodyPublishers.ofString(data, StandardCharsets.UTF_8))
                .build());
    }

    private static HttpRequest.Builder withToken(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private static Map<String, String> authorization(String token) {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }
}
