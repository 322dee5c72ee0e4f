package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wirehub.testing.Eventually;
import io.wirehub.testing.HealthWatch;
import io.wirehub.testing.Http;
import io.wirehub.testing.PrivatePostgres;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * PostgreSQL and Redis really stopped and restarted (servers of the test's own: the shared ones
 * are never touched) while 100 subscribers (half SSE, half WebSocket) read from two instances and
 * publishes go to both. {@code /health} tells the truth throughout: while Redis is down it reports
 * the bus DOWN (and stays 200: an instance without Redis still stores and serves its own
 * subscribers); while PostgreSQL is down it is 503 with the store DOWN; after each restart it is
 * 200 again by itself. Every acknowledged event reaches every subscriber of its topic once, in
 * order, with no gap and no duplicate.
 */
@Slow
class ServiceRestartIT {
    private static final int SUBSCRIBERS = 100;
    private static final int TOPICS = 5;
    private static final int PUBLISHES_PER_SECOND = 100;
    private static final int ACKS_BETWEEN_FAULTS = 100;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void postgresAndRedisRestartedMidPublishLoseNothingAndHealthSaysSoThroughout() throws Exception {
        assumeTrue(
                PrivatePostgres.available(),
                "no PostgreSQL binaries (/usr/lib/postgresql/<v>/bin or pg_config) to start a private server");
        int redisPort = TestRedis.freePort();
        RedisServer redis = TestRedis.startOwn(redisPort);
        List<ResumingClient> clients = new ArrayList<>();
        SteadyRate[] publisher = new SteadyRate[1];
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Map<String, Long> lastAcknowledged = new ConcurrentHashMap<>();
        try (PrivatePostgres postgres = PrivatePostgres.create()) {
            Map<String, String> env = new HashMap<>(postgres.env("wh_restart"));
            env.putAll(Map.of(
                    "WH_BUS_TYPE",
                    "redis",
                    "WH_BUS_REDIS_URL",
                    "redis://127.0.0.1:" + redisPort,
                    "WH_BUS_REDIS_CHANNEL",
                    TestRedis.channel()));
            try (WireHub a = TestHubs.start(env);
                    WireHub b = TestHubs.start(env);
                    HealthWatch health = HealthWatch.start(a, b)) {
                List<WireHub> instances = List.of(a, b);
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    clients.add(ResumingClient.of(
                                    i / (2 * TOPICS) % 2 == 1,
                                    instances.get(i % 2).port(),
                                    "restart." + (i % TOPICS))
                            .start());
                }
                Eventually.await(
                        "every subscriber live",
                        WAIT,
                        () -> a.hub().stats().subscribers() + b.hub().stats().subscribers() == SUBSCRIBERS);
                publisher[0] = SteadyRate.start("publisher", PUBLISHES_PER_SECOND, () -> {
                    WireHub to = instances.get(ThreadLocalRandom.current().nextInt(2));
                    String topic = "restart." + ThreadLocalRandom.current().nextInt(TOPICS);
                    try {
                        Http.Response response =
                                Http.post(TestHubs.base(to) + "/v1/topics/" + topic + "/events", "\"x\"");
                        if (response.status() == 201) {
                            acknowledged.incrementAndGet();
                            lastAcknowledged.merge(
                                    topic, response.json().get("seq").asLong(), Math::max);
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (UncheckedIOException e) {
                        refused.incrementAndGet();
                    }
                });

                publishedSome(acknowledged);
                long redisStopped = System.nanoTime();
                redis.stop(); // mid-stream
                awaitHealth(a, b, "the bus DOWN", s -> s.bus().equals("DOWN"));
                publishedSome(acknowledged); // publishes still commit; each instance serves its own subscribers
                long redisRestarted = System.nanoTime();
                redis = TestRedis.startOwn(redisPort);
                awaitHealth(a, b, "the bus UP again", s -> s.bus().equals("UP"));
                long redisRecovered = System.nanoTime();
                publishedSome(acknowledged);

                long postgresStopped = System.nanoTime();
                postgres.stop(); // mid-publish
                awaitHealth(
                        a,
                        b,
                        "503, the store DOWN",
                        s -> s.status() == 503 && s.store().equals("DOWN"));
                int refusedBefore = refused.get();
                Eventually.await(
                        "publishes refused while PostgreSQL is down",
                        WAIT,
                        () -> refused.get() >= refusedBefore + 2); // each waits the pool's connection timeout
                long postgresRestarted = System.nanoTime();
                postgres.start();
                awaitHealth(
                        a,
                        b,
                        "200, the store UP again",
                        s -> s.status() == 200 && s.store().equals("UP"));
                long postgresRecovered = System.nanoTime();
                publishedSome(acknowledged);
                publisher[0].stop();

                Map<String, Long> last = new HashMap<>();
                for (int t = 0; t < TOPICS; t++) {
                    last.put("restart." + t, Http.publish(TestHubs.base(a), "restart." + t, "\"last\""));
                }
                Eventually.await(
                        "every subscriber has its topic's last event",
                        WAIT,
                        () -> clients.stream().allMatch(c -> c.lastSeq() >= last.get(c.topic()))
                                ? null
                                : clients.stream()
                                                .filter(c -> c.lastSeq() < last.get(c.topic()))
                                                .count() + " behind");
                health.stop();

                int gaps = clients.stream().mapToInt(ResumingClient::gaps).sum();
                int duplicates =
                        clients.stream().mapToInt(ResumingClient::duplicates).sum();
                int resets = clients.stream().mapToInt(ResumingClient::resets).sum();
                int reconnects =
                        clients.stream().mapToInt(c -> c.connects() - 1).sum();
                System.out.printf(
                        "ServiceRestartIT: %d subscribers (half SSE, half WebSocket) on 2 instances; Redis down %d ms, back"
                                + " in /health %d ms after its restart; PostgreSQL down %d ms, back in /health %d ms after its restart;"
                                + " %d publishes acknowledged, %d refused; %d events received, %d gaps, %d duplicates, %d resets,"
                                + " %d reconnects (streams the server ended: %s, closed for %s); /health while Redis was down %s, while PostgreSQL was down %s, after %s%n",
                        SUBSCRIBERS,
                        millis(redisRestarted - redisStopped),
                        millis(redisRecovered - redisRestarted),
                        millis(postgresRestarted - postgresStopped),
                        millis(postgresRecovered - postgresRestarted),
                        acknowledged.get(),
                        refused.get(),
                        clients.stream().mapToLong(ResumingClient::events).sum(),
                        gaps,
                        duplicates,
                        resets,
                        reconnects,
                        ResumingClient.endings(clients),
                        TestHubs.closes(a, b),
                        HealthWatch.tally(both(health, a, b, redisStopped, redisRestarted)),
                        HealthWatch.tally(both(health, a, b, postgresStopped, postgresRestarted)),
                        HealthWatch.tally(both(health, a, b, postgresRecovered, System.nanoTime())));

                for (WireHub instance : instances) {
                    assertTrue(
                            health.all().stream().allMatch(HealthWatch.Sample::consistent),
                            "/health 503 exactly when it names the store DOWN: " + HealthWatch.tally(health.all()));
                    assertDownUntil(health, instance, redisStopped, redisRestarted, "the bus DOWN", s -> s.bus()
                            .equals("DOWN"));
                    assertDownUntil(
                            health,
                            instance,
                            postgresStopped,
                            postgresRestarted,
                            "503 with the store DOWN",
                            s -> s.status() == 503 && s.store().equals("DOWN"));
                    List<HealthWatch.Sample> after = health.between(instance, postgresRecovered, System.nanoTime());
                    assertTrue(
                            !after.isEmpty()
                                    && after.stream()
                                            .allMatch(s -> s.status() == 200
                                                    && s.store().equals("UP")
                                                    && s.bus().equals("UP")),
                            "/health 200, store and bus UP, once both were back: " + HealthWatch.tally(after));
                }
                assertEquals(0, gaps, "no gap");
                assertEquals(0, duplicates, "no duplicate");
                assertEquals(0, resets, "no reset: nobody fell past the replay cap");
                for (ResumingClient client : clients) {
                    // From seq 1 to the last, without a gap: so every acknowledged seq of its topic came, once.
                    assertEquals(1, client.firstSeq(), "a subscriber got its topic's first event");
                    assertTrue(
                            client.lastSeq() >= lastAcknowledged.get(client.topic()),
                            "a subscriber got its topic's last acknowledged event");
                }
            }
        } finally {
            if (publisher[0] != null) {
                publisher[0].stop();
            }
            clients.forEach(ResumingClient::stop);
            stopQuietly(redis);
        }
    }

    /**
     * Once {@code /health} of an instance first said {@code what} after the outage began, it said
     * so at every answer until the restart: no UP while the service was down.
     */
    private static void assertDownUntil(
            HealthWatch health,
            WireHub instance,
            long stopped,
            long restarted,
            String what,
            Predicate<HealthWatch.Sample> down) {
        List<HealthWatch.Sample> during = health.between(instance, stopped, restarted);
        int first = 0;
        while (first < during.size() && !down.test(during.get(first))) {
            first++;
        }
        assertTrue(
                first < during.size(),
                "/health said " + what + " while the service was down: " + HealthWatch.tally(during));
        List<HealthWatch.Sample> since = during.subList(first, during.size());
        assertTrue(
                since.stream().allMatch(down),
                "/health said " + what + " until the restart, once it had: " + HealthWatch.tally(since));
    }

    private static void awaitHealth(WireHub a, WireHub b, String what, Predicate<HealthWatch.Sample> state) {
        for (WireHub instance : List.of(a, b)) {
            Eventually.await("/health says " + what, WAIT, () -> {
                Http.Response response = Http.get(TestHubs.base(instance) + "/health");
                HealthWatch.Sample sample = new HealthWatch.Sample(
                        System.nanoTime(),
                        instance.port(),
                        response.status(),
                        response.json().path("store").asText(),
                        response.json().path("bus").asText(),
                        false);
                return state.test(sample) ? null : sample.toString();
            });
        }
    }

    private static List<HealthWatch.Sample> both(HealthWatch health, WireHub a, WireHub b, long from, long to) {
        List<HealthWatch.Sample> samples = new ArrayList<>(health.between(a, from, to));
        samples.addAll(health.between(b, from, to));
        return samples;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void publishedSome(AtomicInteger acknowledged) {
        int target = acknowledged.get() + ACKS_BETWEEN_FAULTS;
        Eventually.await(
                ACKS_BETWEEN_FAULTS + " more publishes acknowledged",
                WAIT,
                () -> acknowledged.get() >= target ? null : acknowledged.get() + " of " + target);
    }

    private static void stopQuietly(RedisServer redis) {
        try {
            redis.stop();
        } catch (IOException e) {
            // stopped already
        }
    }
}
