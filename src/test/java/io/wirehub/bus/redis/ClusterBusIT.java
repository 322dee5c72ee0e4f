package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.TestRedisCluster;
import io.wirehub.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two wirehub instances on a real local Redis Cluster (three primaries started by the test) and
 * PostgreSQL: sharded pub/sub spreads the shard channels over the nodes, and subscribers on both
 * instances get every event once, in order, even when one node drops its pub/sub connections.
 */
@Slow
class ClusterBusIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int SHARDS = 16;
    private static final String CHANNEL = TestRedis.channel();
    private static final String INTEREST_CHANNEL = TestRedis.channel();
    private static TestRedisCluster cluster;
    private static WireHub a;
    private static WireHub b;
    private static WireHub c; // c and d route by interest
    private static WireHub d;

    @BeforeAll
    static void start() {
        cluster = TestRedisCluster.startOrSkip();
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(Map.of(
                "WH_BUS_TYPE",
                "redis-cluster",
                "WH_BUS_REDIS_NODES",
                cluster.nodes(),
                "WH_BUS_REDIS_CHANNEL",
                CHANNEL,
                "WH_BUS_REDIS_SHARDS",
                String.valueOf(SHARDS),
                "WH_BUS_REDIS_PING_INTERVAL",
                "1s",
                "WH_BUS_REDIS_PING_TIMEOUT",
                "1s"));
        a = TestHubs.start(env);
        b = TestHubs.start(env);
        env.putAll(Map.of("WH_BUS_REDIS_CHANNEL", INTEREST_CHANNEL, "WH_BUS_REDIS_ROUTING", "interest"));
        c = TestHubs.start(env);
        d = TestHubs.start(env);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {d, c, b, a, cluster}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        RedisBusIT.assertNoSubscriberThread(); // redis-cluster-subscriber, redis-shard-*, redis-ping
    }

    @Test
    void everyShardChannelIsCarriedByTheNodeOfItsSlotOnly() {
        List<String> all = new ArrayList<>();
        for (int port : cluster.ports()) {
            List<String> here = cluster.shardChannels(port).stream()
                    .filter(name -> name.startsWith(CHANNEL) && !name.contains(":anchor:"))
                    .toList();
            assertTrue(!here.isEmpty() && here.size() < SHARDS, "node " + port + " carries a share, not all: " + here);
            all.addAll(here);
        }
        assertEquals(SHARDS, all.size(), "each shard channel on exactly one node: " + all);
        assertEquals(SHARDS, all.stream().distinct().count());
    }

    @Test
    void subscribersOnBothInstancesGetEverySeqOnceInOrderWhenANodeDropsItsSubscribersMidStream() throws Exception {
        List<String> topics = InterestRoutingIT.topicsInDistinctShards(4).stream()
                .map(topic -> "cluster." + topic)
                .toList();
        int flowing = 100;
        List<WsClient> clients = new ArrayList<>();
        try {
            for (WireHub hub : List.of(a, b)) {
                for (String topic : topics) {
                    clients.add(WsClient.connect(
                            "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic + "&lastEventId=0"));
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger published = new AtomicInteger();
            List<Thread> publishers = new ArrayList<>();
            for (String topic : topics) {
                publishers.add(
                        Thread.ofVirtual().name("test-publisher-" + topic).start(() -> {
                            try {
                                for (int i = 1; i <= flowing; i++) {
                                    Http.publish(TestHubs.base(i % 2 == 0 ? a : b), topic, "n" + i);
                                    published.incrementAndGet();
                                }
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        }));
            }
            Eventually.await("events flowing", WAIT, () -> published.get() >= flowing * topics.size() / 3);
            int node = nodeCarrying(topics.getFirst());
            assertTrue(
                    cluster.killSubscribers(node) >= 2,
                    "both instances' connections to node " + node + " dropped mid-stream");
            for (Thread publisher : publishers) {
                assertTrue(publisher.join(WAIT));
            }
            assertNull(failure.get());
            // The last events right after a second drop, and nothing after: only the backfill brings them.
            cluster.killSubscribers(node);
            TwoInstances.publishOneEach(topics, a, b);

            TwoInstances.assertEverySeqOnce(clients, flowing + 1, a);
            TwoInstances.awaitBusUp(a, b);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void byInterestAnInstanceSubscribesOnlyToTheShardsOfItsTopicsAndLosesNothingWhenTheirNodeDrops() throws Exception {
        List<String> topics = InterestRoutingIT.topicsInDistinctShards(2).stream()
                .map(topic -> "interest." + topic)
                .toList();
        String followed = topics.get(0);
        String ignored = topics.get(1);
        try (WsClient onC =
                WsClient.connect("ws://127.0.0.1:" + c.port() + "/v1/ws?topic=" + followed + "&lastEventId=0")) {
            Eventually.await("c's shard subscribed", WAIT, () -> subscribers(INTEREST_CHANNEL, followed) == 1);
            long before = Scrape.of(TestHubs.base(c)).count("wirehub_bus_received_events_total");
            for (int i = 0; i < 20; i++) {
                Http.publish(TestHubs.base(d), ignored, "not for c");
                Http.publish(TestHubs.base(d), followed, "for c");
            }
            TwoInstances.assertEverySeqOnce(List.of(onC), 20, d);
            assertEquals(
                    21,
                    Scrape.of(TestHubs.base(c)).count("wirehub_bus_received_events_total") - before,
                    "c received its topic's 20 events and the marker, and none of the other's");
            assertEquals(0, subscribers(INTEREST_CHANNEL, ignored), "nobody subscribed to the shard nobody follows");

            int node = nodeCarrying(INTEREST_CHANNEL, followed);
            assertTrue(cluster.killSubscribers(node) >= 1);
            Http.publish(TestHubs.base(d), followed, "while c subscribes again, and nothing after");
            assertEquals(
                    List.of(22L),
                    onC.take(1, WAIT).stream().map(m -> m.get("seq").asLong()).toList(),
                    "only the shard's backfill brings it");
            TwoInstances.awaitBusUp(c, d);
        }
    }

    /** Subscriptions to the topic's shard channel, over every node. */
    private static long subscribers(String prefix, String topic) {
        String channel = new String(new ShardChannels(prefix, SHARDS).channelOf(topic), StandardCharsets.UTF_8);
        long count = 0;
        for (int port : cluster.ports()) {
            try (var jedis = cluster.connect(port)) {
                count += jedis.pubsubShardNumSub(channel).getOrDefault(channel, 0L);
            }
        }
        return count;
    }

    private static int nodeCarrying(String topic) {
        return nodeCarrying(CHANNEL, topic);
    }

    private static int nodeCarrying(String prefix, String topic) {
        String channel = new String(new ShardChannels(prefix, SHARDS).channelOf(topic), StandardCharsets.UTF_8);
        for (int port : cluster.ports()) {
            if (cluster.shardChannels(port).contains(channel)) {
                return port;
            }
        }
        throw new AssertionError("no node carries " + channel);
    }
}
