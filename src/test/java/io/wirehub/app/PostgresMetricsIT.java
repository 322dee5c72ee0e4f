package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On PostgreSQL and Redis, /metrics shows the pool, the store's queries and the bus's traffic between two instances. */
class PostgresMetricsIT {
    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void twoInstancesShowThePoolTheStoreAndTheBusTraffic() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_BUS_TYPE", "redis");
        env.put("WH_BUS_REDIS_URL", TestRedis.url());
        env.put("WH_BUS_REDIS_CHANNEL", TestRedis.channel());
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=pm.a")) {
            Eventually.await(
                    "subscribed on b",
                    Duration.ofSeconds(10),
                    () -> b.hub().stats().subscribers() == 1);
            for (int i = 1; i <= 5; i++) {
                Http.publish(TestHubs.base(a), "pm.a", "e" + i);
            }
            assertEquals(5, onB.take(5, Duration.ofSeconds(10)).size());

            Scrape onA = Scrape.of(TestHubs.base(a));
            assertEquals(5, onA.count("wirehub_events_published_total"));
            assertEquals(5, onA.count("wirehub_store_append_seconds_count"), "one append per publish request");
            assertEquals(5, onA.count("wirehub_bus_sent_events_total"));
            assertEquals(1, onA.count("wirehub_bus_connected"));
            assertEquals(0, onA.count("wirehub_bus_publish_failures_total"));
            assertEquals(0, onA.count("wirehub_store_pool_waiting_threads"));
            assertTrue(onA.count("wirehub_store_pool_max_connections") > 1);
            assertTrue(onA.has("wirehub_store_pool_connections"));

            Scrape onB2 = Scrape.of(TestHubs.base(b));
            assertEquals(5, onB2.count("wirehub_bus_received_events_total"));
            assertEquals(5, onB2.count("wirehub_deliveries_total"));
            assertEquals(
                    0,
                    onB2.count("wirehub_publish_flush_latency_seconds_count"),
                    "events published elsewhere are not timed here (another JVM's clock)");
            assertTrue(
                    onB2.count("wirehub_store_read_seconds_count", "query", "latest") >= 1, "b asked where pm.a stood");
        }
    }
}
