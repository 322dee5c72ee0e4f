package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Marker;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.embedded.RedisServer;

/**
 * Two wirehub instances on one PostgreSQL and one Redis, as in production: any instance accepts
 * publishes, any serves subscribers, and neither a Redis hiccup nor a reconnect elsewhere makes
 * a gap or a duplicate.
 */
@Slow
class MultiInstanceIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    final FreshSchema schema = new FreshSchema(); // one schema per test: seqs start at 1 in each

    private Map<String, String> env(String redisUrl, String channel) {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_BUS_TYPE", "redis");
        env.put("WH_BUS_REDIS_URL", redisUrl);
        env.put("WH_BUS_REDIS_CHANNEL", channel);
        return env;
    }

    private Map<String, String> env() {
        return env(TestRedis.url(), TestRedis.channel());
    }

    @Test
    void publishingOnOneInstanceReachesSseAndWebSocketSubscribersOnTheOtherInOrder() throws Exception {
        Map<String, String> env = env();
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                SseClient sse = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.order");
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + b.port() + "/v1/ws?topic=multi.order")) {
            awaitSubscribers(b, 2);
            for (int i = 1; i <= 50; i++) {
                Http.publish(TestHubs.base(a), "multi.order", "{\"i\":" + i + "}");
            }
            assertEquals(seqs(50), sseSeqs(sse.take(50, WAIT)));
            assertEquals(seqs(50), wsSeqs(ws.take(50, WAIT)));
            Marker marker = Marker.publish(TestHubs.base(a), "multi.order");
            marker.assertNext(sse, "no duplicate");
            marker.assertNext(ws, "no duplicate");
        }
    }

    @Test
    void concurrentPublishersOnBothInstancesGetGaplessSeqsDeliveredOnceToEverySubscriber() throws Exception {
        Map<String, String> env = env();
        int publishersPerInstance = 4;
        int eventsEach = 50;
        int total = 2 * publishersPerInstance * eventsEach;
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                SseClient onA = SseClient.connect(TestHubs.base(a) + "/v1/sse?topic=multi.shared");
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.shared");
                WsClient wsOnB = WsClient.connect("ws://127.0.0.1:" + b.port() + "/v1/ws?topic=multi.shared")) {
            awaitSubscribers(a, 1);
            awaitSubscribers(b, 2);
            List<Thread> publishers = new ArrayList<>();
            List<Long> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
            for (WireHub target : List.of(a, b)) {
                for (int p = 0; p < publishersPerInstance; p++) {
                    publishers.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < eventsEach; i++) {
                            acknowledged.add(Http.publish(TestHubs.base(target), "multi.shared", "x"));
                        }
                    }));
                }
            }
            for (Thread publisher : publishers) {
                publisher.join();
            }
            assertEquals(seqs(total), acknowledged.stream().sorted().toList(), "gapless, no seq given twice");
            assertEquals(seqs(total), sseSeqs(onA.take(total, WAIT)));
            assertEquals(seqs(total), sseSeqs(onB.take(total, WAIT)));
            assertEquals(seqs(total), wsSeqs(wsOnB.take(total, WAIT)));
            Marker marker = Marker.publish(TestHubs.base(a), "multi.shared");
            marker.assertNext(onA, "each event exactly once");
            marker.assertNext(onB, "each event exactly once");
            marker.assertNext(wsOnB, "each event exactly once");
        }
    }

    @Test
    void killingTheRedisSubscriptionMidStreamLosesNothing() throws Exception {
        Map<String, String> env = env();
        int total = 400;
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                SseClient sse = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.kill");
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + b.port() + "/v1/ws?topic=multi.kill")) {
            awaitSubscribers(b, 2);
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread publisher = Thread.ofVirtual().start(() -> {
                for (int i = 1; i <= total; i++) {
                    Http.publish(TestHubs.base(a), "multi.kill", "e" + i);
                }
                publishing.set(false);
            });
            int kills = 0;
            while (publishing.get() && kills < 3) {
                long deliveredSoFar = b.hub().stats().deliveries();
                Eventually.await(
                        "more deliveries on B",
                        WAIT,
                        () -> b.hub().stats().deliveries() > deliveredSoFar + 40 || !publishing.get());
                kills += TestRedis.killSubscribers() > 0 ? 1 : 0;
            }
            publisher.join();
            assertTrue(kills > 0, "the subscription was killed while A published");
            assertEquals(seqs(total), sseSeqs(sse.take(total, WAIT)), "every seq once, in order");
            assertEquals(seqs(total), wsSeqs(ws.take(total, WAIT)));
            Marker marker = Marker.publish(TestHubs.base(a), "multi.kill");
            marker.assertNext(sse, "no duplicate");
            marker.assertNext(ws, "no duplicate");
        }
    }

    @Test
    void reconnectingToTheOtherInstanceReplaysFromPostgresCappedThenGoesLive() throws Exception {
        Map<String, String> env = new HashMap<>(env());
        env.put("WH_STORE_REPLAY_LIMIT", "100");
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env)) {
            String lastSeen;
            try (SseClient onA = SseClient.connect(TestHubs.base(a) + "/v1/sse?topic=multi.move")) {
                awaitSubscribers(a, 1);
                for (int i = 0; i < 10; i++) {
                    Http.publish(TestHubs.base(a), "multi.move", "before");
                }
                lastSeen = onA.take(10, WAIT).getLast().id();
            }
            for (int i = 0; i < 60; i++) {
                Http.publish(TestHubs.base(a), "multi.move", "missed");
            }
            try (SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.move", lastSeen)) {
                assertEquals(LongStream.rangeClosed(11, 70).boxed().toList(), sseSeqs(onB.take(60, WAIT)));
                Http.publish(TestHubs.base(a), "multi.move", "live");
                SseEvent live = onB.take(1, WAIT).getFirst();
                assertEquals("71", Ids.position(live.id()));
                assertEquals("live", live.data());
            }
            for (int i = 0; i < 150; i++) {
                Http.publish(TestHubs.base(a), "multi.move", "too many");
            }
            try (SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.move", "71")) {
                SseEvent reset = onB.take(1, WAIT).getFirst();
                assertEquals("reset", reset.event(), "past the cap: an explicit reset");
                assertEquals("221", Ids.position(reset.id()));
            }
        }
    }

    @Test
    void withRedisDownPublishesCommitAndTheOtherInstanceCatchesUpInOrderWhenItReturns() throws Exception {
        int port = TestRedis.freePort();
        RedisServer redis = TestRedis.startOwn(port);
        Map<String, String> env = env("redis://127.0.0.1:" + port, TestRedis.channel());
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                SseClient onA = SseClient.connect(TestHubs.base(a) + "/v1/sse?topic=multi.outage");
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.outage")) {
            awaitSubscribers(a, 1);
            awaitSubscribers(b, 1);
            Http.publish(TestHubs.base(a), "multi.outage", "before");
            assertEquals("1", Ids.position(onB.take(1, WAIT).getFirst().id()));

            redis.stop();
            Eventually.await("B sees the bus down", WAIT, () -> "DOWN"
                    .equals(Http.get(TestHubs.base(b) + "/health")
                            .json()
                            .get("bus")
                            .asText()));
            for (int i = 2; i <= 21; i++) {
                assertEquals(
                        i,
                        Http.publish(TestHubs.base(a), "multi.outage", "during " + i),
                        "publishes commit without Redis");
            }
            assertEquals(seqs(21), sseSeqs(onA.take(21, WAIT)), "A's own subscribers get them at once");

            redis = TestRedis.startOwn(port);
            assertEquals(
                    LongStream.rangeClosed(2, 21).boxed().toList(),
                    sseSeqs(onB.take(20, WAIT)),
                    "B delivers what it missed, in order, once Redis is back");
            Http.publish(TestHubs.base(a), "multi.outage", "after");
            assertEquals("22", Ids.position(onB.take(1, WAIT).getFirst().id()));
            Marker.publish(TestHubs.base(a), "multi.outage").assertNext(onB, "no duplicate");
        } finally {
            stopQuietly(redis);
        }
    }

    @Test
    void aSilentlyDeadRedisSubscriptionIsReplacedAndTheEventsItMissedArriveInOrderWithinThePingTimeout()
            throws Exception {
        try (ProxiedPair pair = ProxiedPair.start(pinged(env()));
                WireHub a = pair.a();
                WireHub b = pair.b();
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.frozen")) {
            TcpProxy network = pair.network();
            awaitSubscribers(b, 1);
            Http.publish(TestHubs.base(a), "multi.frozen", "before");
            assertEquals(1, Ids.seq(onB.take(1, WAIT).getFirst().id()));

            network.freeze(); // B's subscription stays open but hears nothing more, as after a silent partition
            for (int i = 2; i <= 11; i++) {
                Http.publish(TestHubs.base(a), "multi.frozen", "during " + i);
            }
            // ping interval + pong timeout + a reconnect and a backfill, with room for a loaded machine
            assertEquals(
                    LongStream.rangeClosed(2, 11).boxed().toList(),
                    sseSeqs(onB.take(10, Duration.ofSeconds(3))),
                    "B noticed the dead subscription and delivered what it missed, in order");
            Eventually.await("B closed its frozen connection", WAIT, () -> network.frozenClosedByClient() >= 1);
            Http.publish(TestHubs.base(a), "multi.frozen", "after");
            assertEquals(12, Ids.seq(onB.take(1, WAIT).getFirst().id()), "live again on the new subscription");
            Marker.publish(TestHubs.base(a), "multi.frozen").assertNext(onB, "no duplicate");
        }
    }

    @Test
    void whileASilentlyDeadRedisSubscriptionCannotBeReplacedHealthReportsTheBusDown() throws Exception {
        try (ProxiedPair pair = ProxiedPair.start(pinged(env()));
                WireHub a = pair.a();
                WireHub b = pair.b();
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=multi.partitioned")) {
            TcpProxy network = pair.network();
            awaitSubscribers(b, 1);
            assertEquals("UP", busHealth(b));

            network.freeze();
            network.stopAccepting(); // the partition also holds back new connections
            Http.publish(TestHubs.base(a), "multi.partitioned", "during");
            Eventually.await("B reports the bus down", WAIT, () -> "DOWN".equals(busHealth(b)));

            network.restore();
            assertEquals(
                    1, Ids.seq(onB.take(1, WAIT).getFirst().id()), "what B missed arrives once Redis is reachable");
            Eventually.await("B reports the bus up", WAIT, () -> "UP".equals(busHealth(b)));
        }
    }

    /**
     * Instances A and B on one Redis, B's Redis connections through a proxy the test can freeze.
     * Closing it closes the proxy; the test closes the instances first (they are resources too).
     */
    private record ProxiedPair(TcpProxy network, WireHub a, WireHub b) implements AutoCloseable {
        static ProxiedPair start(Map<String, String> env) {
            TcpProxy network = new TcpProxy(
                    "127.0.0.1", URI.create(env.get("WH_BUS_REDIS_URL")).getPort());
            WireHub a = null;
            try {
                a = TestHubs.start(env);
                Map<String, String> proxied = new HashMap<>(env);
                proxied.put("WH_BUS_REDIS_URL", "redis://127.0.0.1:" + network.port());
                return new ProxiedPair(network, a, TestHubs.start(proxied));
            } catch (RuntimeException e) {
                if (a != null) {
                    a.close();
                }
                network.close();
                throw e;
            }
        }

        @Override
        public void close() {
            network.close();
        }
    }

    /** Pings the subscription every 200 ms and gives up on it 200 ms after an unanswered one. */
    private static Map<String, String> pinged(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("WH_BUS_REDIS_PING_INTERVAL", "200ms");
        all.put("WH_BUS_REDIS_PING_TIMEOUT", "200ms");
        return all;
    }

    private static String busHealth(WireHub hub) {
        return Http.get(TestHubs.base(hub) + "/health").json().get("bus").asText();
    }

    private static void stopQuietly(RedisServer redis) {
        try {
            redis.stop();
        } catch (IOException | RuntimeException e) {
            // already stopped
        }
    }

    private static void awaitSubscribers(WireHub hub, int count) {
        Eventually.await(count + " subscribers", WAIT, () -> hub.hub().stats().subscribers() >= count);
    }

    private static List<Long> seqs(int count) {
        return LongStream.rangeClosed(1, count).boxed().toList();
    }

    private static List<Long> sseSeqs(List<SseEvent> events) {
        return events.stream().map(event -> Ids.seq(event.id())).toList();
    }

    private static List<Long> wsSeqs(List<JsonNode> messages) {
        return messages.stream().map(message -> message.get("seq").asLong()).toList();
    }
}
