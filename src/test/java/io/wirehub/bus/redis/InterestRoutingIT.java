package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Marker;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances routing by interest over one real Redis (and PostgreSQL): an instance receives
 * only the shards of the topics it follows, and nothing is lost when a topic is joined while its
 * events flow or when the subscription drops.
 */
class InterestRoutingIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int SHARDS = 64;
    // Each test's topics in shards of their own: a shard left lingering by one test is no other's.
    private static final List<String> TOPICS = topicsInDistinctShards(6);
    private static WireHub a;
    private static WireHub b;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(TestRedis.channel()));
        env.put("WH_BUS_REDIS_ROUTING", "interest");
        env.put("WH_BUS_REDIS_SHARDS", String.valueOf(SHARDS));
        a = TestHubs.start(env);
        b = TestHubs.start(env);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        RedisBusIT.assertNoSubscriberThread();
    }

    @Test
    void anInstanceWithNoSubscriberOfATopicReceivesNoneOfItsEvents() throws Exception {
        String followed = TOPICS.get(0);
        String ignored = TOPICS.get(1);
        try (WsClient onB = WsClient.connect(ws(b, followed))) {
            long receivedBefore = received(b);
            for (int i = 0; i < 20; i++) {
                Http.publish(TestHubs.base(a), ignored, "not for B");
                Http.publish(TestHubs.base(a), followed, "for B");
            }

            long start = onB.ready().get("topics").get(followed).asLong();
            assertEquals(seqs(start + 1, start + 20), seqs(onB, 20));
            assertEquals(
                    20,
                    received(b) - receivedBefore,
                    "B received the followed topic's 20 events and none of the other's");
            assertTrue(Scrape.of(TestHubs.base(b)).count("wirehub_bus_subscribed_shards") >= 1);
        }
    }

    @Test
    void aSubscriberThatJoinsWhileItsTopicFlowsMissesNothing() throws Exception {
        String topic = TOPICS.get(2);
        int total = 400;
        CountDownLatch flowing = new CountDownLatch(50);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().name("test-publisher").start(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    Http.publish(TestHubs.base(a), topic, "tick " + i);
                    flowing.countDown();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertTrue(flowing.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        // B follows nothing of this shard: its SUBSCRIBE is made now, while events flow.
        try (WsClient late = WsClient.connect(ws(b, topic))) {
            long start = late.ready().get("topics").get(topic).asLong();
            assertTrue(publisher.join(WAIT));
            assertNull(failure.get());
            assertTrue(start < total, "joined while the topic flowed (at " + start + ")");

            assertEquals(
                    seqs(start + 1, total),
                    seqs(late, (int) (total - start)),
                    "every seq after the join once, in order");
            Marker.publish(TestHubs.base(a), topic).assertNext(late, "no duplicate behind");
        }
    }

    @Test
    void subscribersOnBothInstancesGetEverySeqOnceInOrderWhenTheSubscriptionsDropAtTheTail() throws Exception {
        List<String> topics = TOPICS.subList(3, 6);
        int flowing = 100;
        int tail = 1;
        List<WsClient> clients = new ArrayList<>();
        try {
            for (WireHub hub : List.of(a, b)) {
                for (String topic : topics) {
                    clients.add(WsClient.connect(ws(hub, topic) + "&lastEventId=0"));
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> publishers = new ArrayList<>();
            for (String topic : topics) {
                publishers.add(
                        Thread.ofVirtual().name("test-publisher-" + topic).start(() -> {
                            try {
                                for (int i = 1; i <= flowing; i++) {
                                    Http.publish(
                                            TestHubs.base(i % 2 == 0 ? a : b),
                                            topic,
                                            "n" + i); // both instances publish
                                }
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        }));
            }
            for (Thread publisher : publishers) {
                assertTrue(publisher.join(WAIT));
            }
            assertNull(failure.get());
            assertTrue(TestRedis.killSubscribers() >= 2, "both instances' subscriptions dropped");
            // Published while the instances reconnect, and nothing after: no later event reveals
            // them, only the backfill of each shard as it is subscribed again.
            TwoInstances.publishOneEach(topics, a, b);

            TwoInstances.assertEverySeqOnce(clients, flowing + tail, a);
            TwoInstances.awaitBusUp(a, b);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    private static long received(WireHub hub) {
        return Scrape.of(TestHubs.base(hub)).count("wirehub_bus_received_events_total");
    }

    private static String ws(WireHub hub, String topic) {
        return "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic;
    }

    private static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> seqs(WsClient client, int count) throws InterruptedException {
        return client.take(count, WAIT).stream()
                .map(message -> message.get("seq").asLong())
                .toList();
    }

    static List<String> topicsInDistinctShards(int count) {
        ShardChannels channels = new ShardChannels("any", SHARDS);
        Set<Integer> used = new HashSet<>();
        List<String> topics = new ArrayList<>();
        for (int i = 0; topics.size() < count; i++) {
            String topic = "interest.t" + i;
            if (used.add(channels.shardOf(topic))) {
                topics.add(topic);
            }
        }
        return topics;
    }
}
