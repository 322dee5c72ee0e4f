package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Load;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * What a publisher and a subscriber see when the fan-out cannot keep up: a publish past the
 * fan-out bound waits, then gets {@code 503 overloaded} with {@code Retry-After} and stores
 * nothing; a stream that stays behind past {@code server.max_lag} gets a {@code lag_limit} reset
 * and goes on live, never a silent gap.
 */
@Load
class OverloadIT {
    private static final String PAYLOAD = "x".repeat(8000); // a few of these fill a stalled client's kernel buffers
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aPublishPastTheFanOutBoundGets503OverloadedWithRetryAfterAndStoresNothing() throws Exception {
        // A bound of one pending delivery: as soon as a stream's drain thread is stuck on a client
        // that stopped reading, what waits in its queue is more than the fan-out may hold.
        Map<String, String> env = Map.of(
                "WH_PUBLISH_MAX_PENDING_DELIVERIES",
                "1",
                "WH_PUBLISH_OVERLOAD_WAIT",
                "200ms",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_WRITE_TIMEOUT",
                "60s");
        try (WireHub hub = TestHubs.start(env);
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=hot")) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "the stalled subscriber",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 1);

            int accepted = 0;
            HttpResponse<String> refused = null;
            for (int i = 1; i <= 1000 && refused == null; i++) {
                HttpResponse<String> response = publish(base, "hot", (accepted + 1) + ":" + PAYLOAD);
                if (response.statusCode() == 201) {
                    accepted++;
                } else {
                    assertEquals(
                            503, response.statusCode(), "a publish the fan-out has no room for: " + response.body());
                    refused = response;
                }
            }
            assertNotNull(refused, "1000 publishes of 8 KB to a stream that reads nothing were all accepted");
            JsonNode error = Http.JSON.readTree(refused.body());
            assertEquals("overloaded", error.get("error").asText());
            assertTrue(error.get("message").asText().contains("nothing was stored"), error.toString());
            assertEquals(
                    "1", refused.headers().firstValue("Retry-After").orElse(null), "the client is told when to retry");

            JsonNode snapshot =
                    Http.get(base + "/v1/topics/hot/snapshot?limit=1").json();
            assertEquals(accepted, snapshot.get("seq").asLong(), "the refused publish stored nothing");
            assertEquals(1, Scrape.of(base).count("wirehub_publish_refused_total", "reason", "overloaded"));

            // Once the client reads again, the fan-out drains: it gets every accepted event, and
            // publishes are accepted again.
            SseClient reading = stalled.startReading();
            List<SseEvent> received = reading.take(accepted, Duration.ofSeconds(20));
            assertEquals(accepted, received.size());
            for (int i = 0; i < accepted; i++) {
                assertEquals(
                        String.valueOf(i + 1), Ids.position(received.get(i).id()), "every accepted event, in order");
            }
            Eventually.await(
                    "the fan-out drained",
                    Duration.ofSeconds(10),
                    () -> hub.hub().fanOutWork().pending() == 0);
            assertEquals(201, publish(base, "hot", "after").statusCode());
        }
    }

    @Test
    void aStreamBehindLongerThanMaxLagIsToldWithALagLimitResetAndGoesOnLive() throws Exception {
        Duration maxLag = Duration.ofMillis(300);
        Map<String, String> env = Map.of(
                "WH_SSE_CHANNEL_BUFFER",
                "8",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_MAX_LAG",
                maxLag.toMillis() + "ms",
                "WH_WRITE_TIMEOUT",
                "60s");
        int events = 200;
        try (WireHub hub = TestHubs.start(env);
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=lag");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=lag")) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);
            long firstOverflow = 0;
            for (int i = 1; i <= events; i++) {
                Http.publish(base, "lag", i + ":" + PAYLOAD);
                assertEquals(
                        String.valueOf(i),
                        Ids.position(fast.next(Duration.ofSeconds(5)).id()),
                        "the reading client keeps up");
                if (firstOverflow == 0 && hub.hub().stats().overflows() > 0) {
                    firstOverflow = System.nanoTime();
                }
            }
            assertTrue(firstOverflow != 0, "the stalled client's queue overflowed");
            // The stalled stream is now behind; let it stay behind past the limit.
            long behindLongEnough = firstOverflow + maxLag.toNanos() * 2;
            while (System.nanoTime() < behindLongEnough) {
                LockSupport.parkNanos(behindLongEnough - System.nanoTime());
            }

            SseClient reading = stalled.startReading();
            List<SseEvent> beforeReset = new ArrayList<>();
            SseEvent reset = null;
            while (reset == null) {
                SseEvent next = reading.next(Duration.ofSeconds(10));
                assertNotNull(
                        next, "neither the missed events nor a reset came; got " + beforeReset.size() + " events");
                if ("reset".equals(next.event())) {
                    reset = next;
                } else {
                    beforeReset.add(next);
                }
            }
            for (int i = 0; i < beforeReset.size(); i++) {
                assertEquals(
                        String.valueOf(i + 1), Ids.position(beforeReset.get(i).id()), "no gap before the reset");
            }
            assertTrue(beforeReset.size() < events, "it was told instead of catching up all " + events);
            JsonNode told = Http.JSON.readTree(reset.data());
            assertEquals("lag_limit", told.get("reason").asText());
            assertEquals(events, told.get("seq").asLong(), "moved to the present");
            assertEquals("/v1/topics/lag/snapshot", told.get("snapshot").asText());

            Http.publish(base, "lag", "live again");
            assertEquals(
                    String.valueOf(events + 1),
                    Ids.position(reading.next(Duration.ofSeconds(5)).id()),
                    "live after the reset");
            assertEquals(1, Scrape.of(base).count("wirehub_resets_total", "reason", "lag_limit"));
        }
    }

    private static HttpResponse<String> publish(String base, String topic, String data) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                        .POST(HttpRequest.BodyPublishers.ofString(data))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
