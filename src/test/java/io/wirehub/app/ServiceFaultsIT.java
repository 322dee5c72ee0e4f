package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.HealthWatch;
import io.wirehub.testing.Http;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import io.wirehub.testing.TestRedis;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real faults while 100 subscribers (half SSE, half WebSocket) read from two instances and publishes go to both:
 * PostgreSQL's backends terminated mid-publish ({@code pg_terminate_backend}), Redis
 * subscriptions killed mid-stream ({@code CLIENT KILL TYPE pubsub}), then both at once. Each
 * instance recovers by itself ({@code /health} 200, store and bus UP, after), every answer of
 * {@code /health} meanwhile is 503 exactly when it names the store DOWN, and every subscriber gets
 * every event of its topic in order, without a gap or a duplicate: so every acknowledged (201)
 * publish reached every subscriber. {@link ServiceRestartIT} stops and restarts the services.
 */
class ServiceFaultsIT {
    private static final int SUBSCRIBERS = 100;
    private static final int TOPICS = 5;
    private static final int PUBLISHES_PER_SECOND = 100;
    private static final int ACKS_BETWEEN_FAULTS = 100;

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void postgresAndRedisFaultsMidStreamLoseNothingForAHundredSubscribersOnTwoInstances() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(TestRedis.channel()));
        List<ResumingClient> clients = new ArrayList<>();
        SteadyRate[] publisher = new SteadyRate[1];
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (WireHub a = TestHubs.start(env);
                WireHub b = TestHubs.start(env);
                HealthWatch health = HealthWatch.start(a, b)) {
            List<WireHub> instances = List.of(a, b);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                clients.add(ResumingClient.of(
                                i / (2 * TOPICS) % 2 == 1, instances.get(i % 2).port(), "fault." + (i % TOPICS))
                        .start());
            }
            Eventually.await(
                    "every subscriber live",
                    Duration.ofSeconds(20),
                    () -> a.hub().stats().subscribers() + b.hub().stats().subscribers() == SUBSCRIBERS);
            publisher[0] = SteadyRate.start("publisher", PUBLISHES_PER_SECOND, () -> {
                WireHub to = instances.get(ThreadLocalRandom.current().nextInt(2));
                try {
                    Http.Response response = Http.post(
                            TestHubs.base(to) + "/v1/topics/fault."
                                    + ThreadLocalRandom.current().nextInt(TOPICS) + "/events",
                            "\"x\"");
                    (response.status() == 201 ? acknowledged : refused).incrementAndGet();
                } catch (UncheckedIOException e) {
                    refused.incrementAndGet();
                }
            });

            publishedSome(acknowledged);
            long terminated = TestPostgres.terminateBackends(schema.name()); // mid-publish
            publishedSome(acknowledged);
            long killed = TestRedis.killSubscribers(); // mid-stream
            publishedSome(acknowledged);
            terminated += TestPostgres.terminateBackends(schema.name());
            killed += TestRedis.killSubscribers();
            publishedSome(acknowledged);
            publisher[0].stop();

            Map<String, Long> last = new HashMap<>();
            for (int t = 0; t < TOPICS; t++) {
                last.put("fault." + t, Http.publish(TestHubs.base(a), "fault." + t, "\"last\""));
            }
            Eventually.await(
                    "every subscriber has its topic's last event",
                    Duration.ofSeconds(30),
                    () -> clients.stream().allMatch(c -> c.lastSeq() >= last.get(c.topic()))
                            ? null
                            : clients.stream()
                                            .filter(c -> c.lastSeq() < last.get(c.topic()))
                                            .count() + " behind");
            for (WireHub instance : instances) {
                Eventually.await("health 200 again, store and bus UP", Duration.ofSeconds(10), () -> {
                    Http.Response response = Http.get(TestHubs.base(instance) + "/health");
                    return response.status() == 200
                                    && response.json().get("store").asText().equals("UP")
                                    && response.json().get("bus").asText().equals("UP")
                            ? null
                            : response.body();
                });
            }
            health.stop();
            int gaps = clients.stream().mapToInt(ResumingClient::gaps).sum();
            int duplicates =
                    clients.stream().mapToInt(ResumingClient::duplicates).sum();
            int resets = clients.stream().mapToInt(ResumingClient::resets).sum();
            int reconnects = clients.stream().mapToInt(c -> c.connects() - 1).sum();
            System.out.printf(
                    "ServiceFaultsIT: %d subscribers on 2 instances; %d backends terminated, %d Redis subscriptions killed;"
                            + " %d publishes acknowledged, %d refused during the faults; %d events received, %d gaps, %d duplicates, %d resets,"
                            + " %d reconnects (streams the server ended: %s, closed for %s); /health answers meanwhile %s%n",
                    SUBSCRIBERS,
                    terminated,
                    killed,
                    acknowledged.get(),
                    refused.get(),
                    clients.stream().mapToLong(ResumingClient::events).sum(),
                    gaps,
                    duplicates,
                    resets,
                    reconnects,
                    ResumingClient.endings(clients),
                    TestHubs.closes(a, b),
                    HealthWatch.tally(health.all()));
            assertTrue(terminated > 0, "backends were terminated");
            assertEquals(0, gaps, "no gap");
            assertEquals(0, duplicates, "no duplicate");
            assertEquals(0, resets, "no reset: nobody fell past the replay cap");
            assertTrue(
                    health.all().stream().allMatch(HealthWatch.Sample::consistent),
                    "/health 503 exactly when it names the store DOWN, throughout: " + HealthWatch.tally(health.all()));
        } finally {
            if (publisher[0] != null) {
                publisher[0].stop();
            }
            clients.forEach(ResumingClient::stop);
        }
    }

    private static void publishedSome(AtomicInteger acknowledged) {
        int target = acknowledged.get() + ACKS_BETWEEN_FAULTS;
        Eventually.await(
                ACKS_BETWEEN_FAULTS + " more publishes acknowledged",
                Duration.ofSeconds(30),
                () -> acknowledged.get() >= target ? null : acknowledged.get() + " of " + target);
    }
}
