package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import io.wirehub.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** One token's subject, or one client address, cannot take every stream: past its share it gets 429 too_many_streams. */
class StreamQuotaIT {
    private static final String SECRET = "stream-quota-test-secret-of-32-bytes!";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aSubjectPastItsShareGets429NamingTheLimitAndOthersStillConnect() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                SECRET,
                "WH_MAX_STREAMS_PER_SUBJECT",
                "2",
                "WH_MANAGEMENT_PORT",
                "0"))) {
            String base = TestHubs.base(hub);
            String alice = token("alice");
            SseClient first = SseClient.connect(base + "/v1/sse?topic=q&access_token=" + alice);
            try (SseClient second = SseClient.connect(base + "/v1/sse?topic=q&access_token=" + alice);
                    SseClient bob = SseClient.connect(base + "/v1/sse?topic=q&access_token=" + token("bob"))) {
                assertEquals(200, first.status());
                assertEquals(200, second.status());
                assertEquals(200, bob.status(), "another subject is not affected");

                try (SseClient third = SseClient.connect(base + "/v1/sse?topic=q&access_token=" + alice)) {
                    assertRefused(third.status(), third.errorBody(), "server.max_streams_per_subject");
                }
                CompletionException upgrade = assertThrows(
                        CompletionException.class,
                        () -> WsClient.connect(
                                "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=q&access_token=" + alice));
                var response = ((WebSocketHandshakeException) upgrade.getCause()).getResponse();
                assertRefused(response.statusCode(), String.valueOf(response.body()), "server.max_streams_per_subject");

                first.close(); // a place comes back when a stream ends
                Eventually.await("alice's place is back", WAIT, () -> {
                    try (SseClient again = SseClient.connect(base + "/v1/sse?topic=q&access_token=" + alice)) {
                        return again.status() == 200;
                    }
                });
                // the SSE, the upgrade, and each try above while the first stream's end was not yet noticed
                assertTrue(Scrape.of("http://127.0.0.1:" + hub.managementPort())
                                .count("wirehub_streams_refused_total", "limit", "max_streams_per_subject")
                        >= 2);
            } finally {
                first.close();
            }
        }
    }

    @Test
    void anAddressPastItsShareGets429WhenTheBoundIsOn() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of("WH_MAX_STREAMS_PER_ADDRESS", "1"))) {
            String base = TestHubs.base(hub);
            try (SseClient first = SseClient.connect(base + "/v1/sse?topic=q");
                    SseClient second = SseClient.connect(base + "/v1/sse?topic=q")) {
                assertEquals(200, first.status());
                assertRefused(second.status(), second.errorBody(), "server.max_streams_per_address");
                assertEquals(
                        1, Scrape.of(base).count("wirehub_streams_refused_total", "limit", "max_streams_per_address"));
            }
        }
    }

    private static void assertRefused(int status, String body, String limit) throws Exception {
        assertEquals(429, status, body);
        JsonNode error = Http.JSON.readTree(body);
        assertEquals("too_many_streams", error.get("error").asText());
        assertTrue(error.get("message").asText().contains(limit), error.toString());
    }

    private static String token(String subject) {
        return Tokens.hs256(
                SECRET.getBytes(StandardCharsets.UTF_8),
                Tokens.claims(subject, List.of("*"), List.of("*"), Instant.now().plusSeconds(300))
                        .build());
    }
}
