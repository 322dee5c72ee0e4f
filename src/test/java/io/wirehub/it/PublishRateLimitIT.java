package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** publish.rate_limit: a publisher past its rate gets 429 with Retry-After and stores nothing; others are not held back. */
class PublishRateLimitIT {
    private static final byte[] SECRET = "rate-limit-test-secret-of-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    @Test
    void aPublisherPastItsRateGets429AndOthersGoOn() {
        try (WireHub hub = TestHubs.start(Map.of(
                "WH_PUBLISH_RATE_LIMIT",
                "5",
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                new String(SECRET, StandardCharsets.UTF_8)))) {
            String base = TestHubs.base(hub);
            String alice = token("alice");
            String bob = token("bob");
            int accepted = 0;
            Http.Response refused = null;
            for (int i = 0; i < 60 && refused == null; i++) {
                Http.Response response = post(base, "rate.a", "e" + i, alice);
                if (response.status() == 201) {
                    accepted++;
                } else {
                    refused = response;
                }
            }
            assertTrue(refused != null, "alice was refused within 60 quick publishes");
            assertEquals(429, refused.status(), refused.body());
            assertEquals("rate_limited", refused.json().get("error").asText());
            assertTrue(accepted >= 5, "a second's worth passed first: " + accepted);
            HttpResponse<String> raw = rawPost(base, "rate.a", "refused again", alice);
            if (raw.statusCode() == 429) {
                long retryAfter =
                        Long.parseLong(raw.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1, "Retry-After says when: " + retryAfter);
            }
            Http.Response snapshot = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/rate.a/snapshot"))
                    .header("Authorization", "Bearer " + alice)
                    .GET()
                    .build());
            long stored = snapshot.json().get("seq").asLong();
            assertTrue(
                    stored == accepted || (raw.statusCode() == 201 && stored == accepted + 1),
                    "a refused publish stored nothing: " + stored + " stored, " + accepted + " accepted");
            assertEquals(201, post(base, "rate.b", "bob's", bob).status(), "another publisher is not held back");
        }
    }

    private static String token(String subject) {
        return Tokens.hs256(
                SECRET,
                Tokens.claims(subject, List.of("*"), List.of("*"), Instant.now().plusSeconds(60))
                        .build());
    }

    private static HttpResponse<String> rawPost(String base, String topic, String data, String token) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                                    .header("Authorization", "Bearer " + token)
                                    .POST(HttpRequest.BodyPublishers.ofString(data))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Http.Response post(String base, String topic, String data, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(data))
                .build());
    }
}
