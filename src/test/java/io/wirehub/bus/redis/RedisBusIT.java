package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.bus.BusListener;
import io.wirehub.config.Settings;
import io.wirehub.event.Event;
import io.wirehub.schedule.Scheduler;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.ThreadCensus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/** Two (or more) RedisBus instances on one channel of a real Redis, as two wirehub instances would be. */
class RedisBusIT {
    // The buses' periodic work (heartbeats, backlog re-sends), as a WireHub shares its own; a daemon thread for the
    // JVM's life.
    private static final Scheduler SCHEDULER = new Scheduler();
    private static final String CHANNEL = TestRedis.channel();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    @Test
    void eventPublishedOnOneInstanceReachesTheOtherAndNeverComesBackToItsOwn() throws Exception {
        Recorder onA = new Recorder();
        Recorder onB = new Recorder();
        RedisBus a = bus(TestRedis.url(), onA);
        RedisBus b = bus(TestRedis.url(), onB);

        Event sent = new Event("orders", 1, "created", "{\"id\":7}", true, 1_700_000_000_123L);
        a.publish(List.of(sent));

        assertSameEvent(sent, onB.next());
        // A's own streams get its events from its hub, never from the bus. B's marker reaches A
        // through Redis after A's own echo would have (one channel, one order), so had A not
        // skipped its echo, it would come before the marker.
        Event marker = new Event("marker", 1, null, "m", false, 0);
        b.publish(List.of(marker));
        assertSameEvent(marker, onA.next());
        assertNull(onA.events.poll());
        assertEquals(0, a.publishFailures());
    }

    @Test
    void batchArrivesOnTheOtherInstanceInOrder() throws Exception {
        Recorder onB = new Recorder();
        RedisBus a = bus(TestRedis.url(), new Recorder());
        bus(TestRedis.url(), onB);

        List<Event> batch = new ArrayList<>();
        for (int seq = 1; seq <= 200; seq++) {
            batch.add(new Event(
                    "prices",
                    seq,
                    seq % 2 == 0 ? "tick" : null,
                    seq % 3 == 0 ? "{\"p\":" + seq + "}" : "line one\nline two \u00e9\u4e2d\uD83D\uDE00 \t " + seq,
                    seq % 3 == 0,
                    seq));
        }
        a.publish(batch);

        for (Event expected : batch) {
            assertSameEvent(expected, onB.next());
        }
    }

    @Test
    void malformedMessagesAreSkippedAndDeliveryContinues() throws Exception {
        Recorder onB = new Recorder();
        RedisBus a = bus(TestRedis.url(), new Recorder());
        RedisBus b = bus(TestRedis.url(), onB);
        byte[] valid = EventMessage.encode(UUID.randomUUID(), new Event("t", 1, null, "x", false, 0));
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 1);
        byte[] hugeLength = valid.clone();
        hugeLength[valid.length - 5] = 0x7f; // the data length's top byte

        try (Jedis raw = TestRedis.connect()) {
            byte[] channel = a.channel().getBytes(StandardCharsets.UTF_8);
            for (byte[] garbage :
                    List.of(new byte[0], "hello".getBytes(StandardCharsets.UTF_8), truncated, trailing, hugeLength)) {
                raw.publish(channel, garbage);
            }
        }
        Event good = new Event("t", 2, null, "after the garbage", false, 0);
        a.publish(List.of(good));

        assertSameEvent(good, onB.next());
        assertEquals(5, b.malformedSkipped());
        assertTrue(b.isHealthy());
    }

    @Test
    void droppedSubscriptionReconnectsCallsReconnectedAndDeliveryContinues() throws Exception {
        Recorder onB = new Recorder();
        RedisBus a = bus(TestRedis.url(), new Recorder());
        RedisBus b = bus(TestRedis.url(), onB);

        assertTrue(TestRedis.killSubscribers() >= 2);

        assertTrue(onB.reconnects.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS), "B never called reconnected()");
        assertTrue(b.isHealthy());
        assertEquals(1, b.reconnects());
        Event after = new Event("t", 1, null, "after the reconnect", false, 0);
        a.publish(List.of(after));
        assertSameEvent(after, onB.next());
    }

    @Test
    void publishWhileRedisIsDownDoesNotThrowAndTheSubscriberComesBack() throws Exception {
        int port = TestRedis.freePort();
        RedisServer redis = TestRedis.startOwn(port);
        Recorder local = new Recorder();
        RedisBus bus = bus("redis://127.0.0.1:" + port, local);

        redis.stop();
        Eventually.await("the bus reporting unhealthy with Redis stopped", WAIT, () -> !bus.isHealthy());
        Event during = new Event("t", 1, null, "while Redis is down", false, 0);
        bus.publish(List.of(during));
        bus.publish(List.of(new Event("t", 2, null, "and again", false, 0)));

        assertNull(local.events.poll(), "the bus handed a local event back to its own instance");
        assertTrue(bus.publishFailures() >= 1);

        // The drop and at least two failed connects: the subscriber must survive those.
        Eventually.await(
                "three failed subscribe attempts (the subscriber keeps trying)",
                WAIT,
                () -> bus.subscribeFailures() >= 3);
        RedisServer again = TestRedis.startOwn(port);
        toClose.add(again::stop);
        assertTrue(
                local.reconnects.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "no reconnected() after Redis came back");
        assertTrue(bus.isHealthy());
    }

    @Test
    void eventWhosePublishFailedIsSentAgainOnceRedisAcceptsPublishes() throws Exception {
        // Only PUBLISH fails (an ACL denies it) while both subscriptions stay up: the other instance
        // sees no reconnect, so only the backlog can bring it the tail.
        int port = TestRedis.freePort();
        RedisServer redis = TestRedis.startOwn(port);
        toClose.add(redis::stop);
        try (Jedis admin = new Jedis("127.0.0.1", port)) {
            admin.aclSetUser("whpub", "on", ">s3cret", "~*", "&*", "+@all", "-publish");
        }
        Recorder onB = new Recorder();
        RedisBus a = bus("redis://whpub:s3cret@127.0.0.1:" + port, new Recorder());
        RedisBus b = bus("redis://127.0.0.1:" + port, onB);

        Event tail = new Event("quiet-topic", 9, null, "the last event of a quiet topic", false, 0);
        a.publish(List.of(tail));
        assertEquals(1, a.publishFailures());
        try (Jedis admin = new Jedis("127.0.0.1", port)) {
            admin.aclSetUser("whpub", "+publish");
        }

        // No more publishes on A: B's traffic on the channel is what tells A that Redis answers.
        long deadline = System.nanoTime() + WAIT.toNanos();
        Event received = null;
        for (int seq = 1; received == null && System.nanoTime() < deadline; seq++) {
            b.publish(List.of(new Event("chatter", seq, null, "c", false, 0)));
            Event next;
            while ((next = onB.events.poll(50, TimeUnit.MILLISECONDS)) != null) {
                if (next.topic().equals("quiet-topic")) {
                    received = next;
                }
            }
        }
        assertNotNull(received, "A never re-sent the event whose PUBLISH failed");
        assertSameEvent(tail, received);
    }

    @Test
    void aClusterBusRefusesToStartWithOneLineWhenNoNodeAnswers() {
        int port = TestRedis.freePort(); // nothing listens there
        Settings.Redis cluster = new Settings.Redis(
                "redis://:hunter2@127.0.0.1",
                CHANNEL,
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                "channel",
                64,
                List.of("127.0.0.1:" + port));

        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> RedisBus.cluster(cluster, SCHEDULER)
                        .start(new Recorder()));

        assertEquals(
                "cannot reach the Redis Cluster at 127.0.0.1:" + port
                        + " (bus.redis.nodes / WH_BUS_REDIS_NODES): connection refused",
                failure.getMessage());
        assertNoSubscriberThread();
    }

    @Test
    void startFailsFastWithOneLineNamingTheSettingAndHidingThePassword() {
        int port = TestRedis.freePort(); // nothing listens there
        RedisBus bus = new RedisBus(settings("redis://user:hunter2@127.0.0.1:" + port), SCHEDULER);

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> bus.start(new Recorder()));

        assertEquals(
                "cannot reach Redis at redis://***@127.0.0.1:" + port
                        + " (bus.redis.url / WH_BUS_REDIS_URL): connection refused",
                failure.getMessage());
        assertFalse(bus.isHealthy());
        assertNoSubscriberThread();
    }

    @Test
    void closeLeavesNoSubscriberThread() throws Exception {
        RedisBus first = bus(TestRedis.url(), new Recorder());
        RedisBus second = bus(TestRedis.url(), new Recorder());
        assertTrue(first.isHealthy() && second.isHealthy());

        first.close();
        second.close();
        second.close(); // idempotent

        assertFalse(first.isHealthy());
        assertNoSubscriberThread();
        first.publish(List.of(new Event("t", 1, null, "after close", false, 0))); // no throw
    }

    private RedisBus bus(String url, Recorder listener) {
        RedisBus bus = new RedisBus(settings(url), SCHEDULER);
        toClose.add(bus);
        bus.start(listener);
        return bus;
    }

    private static Settings.Redis settings(String url) {
        return new Settings.Redis(url, CHANNEL, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /** All fields equal: what a bus delivers is what was published. */
    static void assertSameEvent(Event expected, Event actual) {
        assertNotNull(actual, "no event, expected " + expected);
        assertEquals(expected.topic(), actual.topic());
        assertEquals(expected.seq(), actual.seq());
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.data(), actual.data());
        assertEquals(expected.json(), actual.json());
        assertEquals(expected.timeMillis(), actual.timeMillis());
    }

    /**
     * The subscriber threads (redis-subscriber, redis-cluster-subscriber, redis-shard-*) are gone
     * when close() returns; the virtual ones (a redis-ping beat, redis-interest, redis-backlog) soon after.
     */
    static void assertNoSubscriberThread() {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("redis-") && thread.isAlive())
                .map(Thread::toString)
                .toList();
        assertEquals(List.of(), left);
        Eventually.await("no redis-* thread left", WAIT, () -> {
            List<String> any = ThreadCensus.take().keySet().stream()
                    .filter(name -> name.matches("(virtual|platform) redis-.*"))
                    .toList();
            return any.isEmpty() ? null : any.toString();
        });
    }

    /** A hub stand-in: records what the bus delivers. */
    private static final class Recorder implements BusListener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final Semaphore reconnects = new Semaphore(0);

        @Override
        public void onEvent(Event event) {
            events.add(event);
        }

        @Override
        public void reconnected() {
            reconnects.release();
        }

        Event next() throws InterruptedException {
            return events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
