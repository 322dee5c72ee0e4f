package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metrics tell the truth: after a scripted scenario each counter on /metrics reads what the
 * clients saw happen, and /v1/stats reads the same counters.
 */
class MetricsIT {
    private static final String PAYLOAD = "x".repeat(8000); // fills the stalled client's buffers in a few dozen events
    private static final int MAX_EVENTS = 400;

    @Test
    void afterAScriptedScenarioEveryCounterReadsWhatHappened() throws Exception {
        Map<String, String> env = Map.of(
                "WH_SSE_CHANNEL_BUFFER",
                "4",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_OVERFLOW_POLICY",
                "catch-up",
                "WH_WRITE_TIMEOUT",
                "60s",
                "WH_STORE_REPLAY_LIMIT",
                "10");
        try (WireHub hub = TestHubs.start(env);
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=truth.a");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=truth.a")) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);

            // Publish one at a time, each read by the fast client, until the stalled one overflowed; then 5 more.
            int published = 0;
            while (hub.hub().stats().overflows() == 0 && published < MAX_EVENTS) {
                publishAndAwait(base, fast, ++published);
            }
            assertTrue(
                    hub.hub().stats().overflows() > 0,
                    "the stalled client's queue overflowed within " + MAX_EVENTS + " events");
            for (int i = 0; i < 5; i++) {
                publishAndAwait(base, fast, ++published);
            }
            List<SseEvent> caughtUp = stalled.startReading().take(published, Duration.ofSeconds(20));
            assertEquals(published, caughtUp.size(), "the stalled client, reading again, gets every event");

            // One client vanishes (RST, no goodbye): the heartbeat finds it.
            StalledSseClient vanishing = new StalledSseClient(hub.port(), "/v1/sse?topic=truth.b");
            Eventually.await(
                    "three subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 3);
            vanishing.abort();
            Eventually.await(
                    "the vanished client closed",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().closes(CloseReason.CLIENT_GONE) == 1);

            // One reconnect past the replay cap (10) gets a reset.
            String epoch = Ids.epoch(caughtUp.getFirst().id());
            SseClient behind = SseClient.connect(base + "/v1/sse?topic=truth.a&lastEventId=" + epoch + "~1");
            SseEvent reset = behind.next(Duration.ofSeconds(5));
            assertNotNull(reset);
            assertEquals("reset", reset.event());

            // One publish refused.
            assertEquals(
                    400, Http.post(base + "/v1/topics/bad%20topic/events", "x").status());

            long deliveries = 2L * published; // the fast client and the stalled one each got every event
            Eventually.await("every flush observed", Duration.ofSeconds(5), () -> {
                Scrape now = Scrape.of(base);
                return now.count("wirehub_publish_flush_latency_seconds_count") + recovered(now) == deliveries;
            });
            Scrape metrics = Scrape.of(base);
            assertEquals(published, metrics.count("wirehub_events_published_total"));
            assertEquals(deliveries, metrics.count("wirehub_deliveries_total"));
            assertEquals(1, metrics.count("wirehub_publish_refused_total", "reason", "invalid_topic"));
            assertEquals(3, metrics.count("wirehub_streams_open", "transport", "sse"));
            assertEquals(0, metrics.count("wirehub_streams_open", "transport", "ws"));
            assertEquals(1, metrics.count("wirehub_topics_active"), "truth.b left with its only client");
            assertEquals(3, metrics.count("wirehub_subscriptions"));
            assertEquals(1, metrics.count("wirehub_stream_closes_total", "reason", "client_gone"));
            for (String other : List.of("overflow", "write_timeout", "error", "client_closed", "shutdown")) {
                assertEquals(
                        0,
                        metrics.count("wirehub_stream_closes_total", "reason", other),
                        "no stream closed for " + other);
            }
            assertEquals(1, metrics.count("wirehub_resets_total", "reason", "replay_limit"));
            assertEquals(0, metrics.count("wirehub_resets_total", "reason", "retention"));
            assertEquals(0, metrics.count("wirehub_resets_total", "reason", "unknown_cursor"));
            long overflows = metrics.count("wirehub_overflows_total", "transport", "sse", "policy", "catch_up");
            assertTrue(overflows > 0);
            assertEquals(0, metrics.count("wirehub_overflows_total", "transport", "ws"));
            long catchUps = metrics.count("wirehub_catch_ups_total");
            assertTrue(
                    catchUps > 0 && catchUps <= overflows, "each catch-up follows at least one overflow: " + catchUps);
            long recovered = metrics.count("wirehub_store_recovered_events_total", "path", "catch_up")
                    + metrics.count("wirehub_store_recovered_events_total", "path", "gap");
            assertTrue(recovered > 0, "the stalled client got what it missed from the store");
            assertEquals(
                    0,
                    metrics.count("wirehub_store_recovered_events_total", "path", "replay"),
                    "the reset replaced the replay");
            assertEquals(
                    deliveries - recovered,
                    metrics.count("wirehub_publish_flush_latency_seconds_count"),
                    "the latency histogram counts every live delivery: all but those read from the store");
            assertTrue(metrics.value("wirehub_publish_flush_latency_seconds_sum") > 0);
            assertTrue(metrics.count("wirehub_written_bytes_total") >= deliveries * PAYLOAD.length());
            assertTrue(metrics.has("jvm_memory_used_bytes"), "JVM meters are there");

            JsonNode stats = Http.stats(base);
            assertEquals(deliveries, stats.get("deliveries").asLong(), "/v1/stats reads the same counters");
            assertEquals(overflows, stats.get("overflows").asLong());
            assertEquals(catchUps, stats.get("catch_ups").asLong());
            assertEquals(1, stats.get("resets").asLong());
            assertEquals(1, stats.get("closes").get("client_gone").asLong());
            behind.close();
        }
    }

    private static long recovered(Scrape metrics) {
        return metrics.count("wirehub_store_recovered_events_total", "path", "catch_up")
                + metrics.count("wirehub_store_recovered_events_total", "path", "gap")
                + metrics.count("wirehub_store_recovered_events_total", "path", "replay");
    }

    private static void publishAndAwait(String base, SseClient reader, int seq) throws InterruptedException {
        Http.publish(base, "truth.a", seq + ":" + PAYLOAD);
        SseEvent event = reader.next(Duration.ofSeconds(2));
        assertNotNull(event, "event " + seq + " reached the reading client");
        assertEquals(String.valueOf(seq), Ids.position(event.id()));
    }
}
