package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Marker;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One real wirehub instance on the Redis bus, its subscribers on SSE and WebSocket. The Redis bus
 * needs a shared store (a memory store is refused with it), so this is PostgreSQL.
 */
class RedisHubIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static final String CHANNEL = TestRedis.channel();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(CHANNEL));
        hub = TestHubs.start(env);
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
        RedisBusIT.assertNoSubscriberThread();
    }

    @Test
    void sseAndWebSocketSubscribersGetEachEventOnceInOrder() throws Exception {
        String topic = "news";
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=" + topic + "&lastEventId=0");
                WsClient ws = WsClient.connect(wsUrl(topic))) {
            for (int i = 1; i <= 30; i++) {
                Http.publish(base, topic, "{\"n\":" + i + "}");
            }

            assertEverySeqOnce(sse, ws, topic, 30);
            assertEquals("UP", Http.get(base + "/health").json().get("bus").asText());
        }
    }

    @Test
    void subscribersSeeEverySeqOnceWhenTheRedisSubscriptionDropsMidStream() throws Exception {
        String topic = "ticks";
        int total = 300;
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=" + topic + "&lastEventId=0");
                WsClient ws = WsClient.connect(wsUrl(topic))) {
            CountDownLatch third = new CountDownLatch(total / 3);
            CountDownLatch twoThirds = new CountDownLatch(2 * total / 3);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread publisher = Thread.ofVirtual().name("test-publisher").start(() -> {
                try {
                    for (int i = 1; i <= total; i++) {
                        Http.publish(base, topic, "tick " + i);
                        third.countDown();
                        twoThirds.countDown();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });

            assertTrue(third.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(TestRedis.killSubscribers() >= 1);
            assertTrue(twoThirds.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            TestRedis.killSubscribers(); // maybe while the first reconnect is still backing off
            assertTrue(publisher.join(WAIT));
            assertNull(failure.get());

            assertEverySeqOnce(sse, ws, topic, total);
            TwoInstances.awaitBusUp(hub);
        }
    }

    @Test
    void instanceRefusesToStartWhenRedisIsUnreachable() {
        int port = TestRedis.freePort();
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(Map.of(
                "WH_BUS_TYPE",
                "redis",
                "WH_BUS_REDIS_URL",
                "redis://127.0.0.1:" + port,
                "WH_BUS_REDIS_CHANNEL",
                CHANNEL));
        RuntimeException failure = assertThrows(RuntimeException.class, () -> TestHubs.start(env));

        assertEquals(
                "cannot reach Redis at redis://127.0.0.1:" + port
                        + " (bus.redis.url / WH_BUS_REDIS_URL): connection refused",
                failure.getMessage());
    }

    private static void assertEverySeqOnce(SseClient sse, WsClient ws, String topic, int count)
            throws InterruptedException {
        List<Long> expected = LongStream.rangeClosed(1, count).boxed().toList();
        List<Long> sseSeqs =
                sse.take(count, WAIT).stream().map(event -> Ids.seq(event.id())).toList();
        List<Long> wsSeqs = ws.take(count, WAIT).stream()
                .map(message -> message.get("seq").asLong())
                .toList();
        assertEquals(expected, sseSeqs);
        assertEquals(expected, wsSeqs);
        // A duplicate or a late copy would come right behind, before the marker.
        Marker marker = Marker.publish(base, topic);
        marker.assertNext(sse, "no duplicate behind");
        marker.assertNext(ws, "no duplicate behind");
    }

    private static String wsUrl(String topic) {
        return "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic + "&lastEventId=0";
    }
}
