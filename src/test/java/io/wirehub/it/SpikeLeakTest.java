package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Census;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Latencies;
import io.wirehub.testing.Load;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sudden spike that sank the seed this project learned from: 1,500 clients (half SSE, half
 * WebSocket, on every topic) arrive within one second while events flow at 5/s on each of 200 topics (PostgreSQL store), stay a while,
 * then all vanish at once (TCP resets). Subscription and streaming latencies are reported, every
 * client's stream is in order without a gap, and threads, memory and every other count return
 * to their baseline.
 */
@Slow
@Load
class SpikeLeakTest {
    private static final int CLIENTS = 1500;
    private static final Duration ARRIVAL = Duration.ofSeconds(1);
    private static final int TOPICS = 200;
    private static final int EVENTS_PER_TOPIC_PER_SECOND = 5;
    private static final Duration STAY = Duration.ofSeconds(Integer.getInteger("wirehub.spike.seconds", 5));
    private static final long HEAP_SLACK = 32L << 20;

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void fifteenHundredClientsArrivingInOneSecondAndVanishingLeaveEveryCountAtItsBaseline() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_MAX_CONNECTIONS", String.valueOf(CLIENTS + 100));
        SteadyRate[] publisher = new SteadyRate[1];
        List<String> topics =
                IntStream.range(0, TOPICS).mapToObj(t -> "spike." + t).toList();
        AtomicInteger refusedBatches = new AtomicInteger();
        List<ResumingClient> clients = new ArrayList<>();
        try (WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            Http.publish(base, "spike.0", "t=" + System.nanoTime());
            Census census = Census.of(hub);
            Census.Snapshot baseline = census.take();

            // 5 events per topic per second: one batch of 200 (one event per topic) every 200 ms.
            publisher[0] = SteadyRate.start("publisher", EVENTS_PER_TOPIC_PER_SECOND, () -> {
                if (Http.publishToEach(base, topics, "t=" + System.nanoTime()).status() != 201) {
                    refusedBatches.incrementAndGet();
                }
            });

            Latencies sseStreaming = new Latencies();
            Latencies wsStreaming = new Latencies();
            long arrivalStarted = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                LockSupport.parkNanos(
                        arrivalStarted + ARRIVAL.toNanos() * i / CLIENTS - System.nanoTime()); // spread over the second
                boolean webSocket = i / TOPICS % 2 == 1;
                clients.add(ResumingClient.of(
                                webSocket,
                                hub.port(),
                                topics.get(i % TOPICS),
                                webSocket ? wsStreaming::add : sseStreaming::add)
                        .start());
            }
            long arrived = System.nanoTime() - arrivalStarted;
            Eventually.await(
                    "every client connected",
                    Duration.ofSeconds(30),
                    () -> hub.hub().stats().subscribers() == CLIENTS
                            ? null
                            : hub.hub().stats().subscribers() + " live");
            Latencies sseSubscription = new Latencies();
            Latencies wsSubscription = new Latencies();
            clients.forEach(
                    client -> (client.webSocket() ? wsSubscription : sseSubscription).add(client.firstOpenNanos()));
            LockSupport.parkNanos(
                    STAY.toNanos()); // the scenario: they stay a while as events flow (not a wait for a condition)
            publisher[0].stop();

            int gaps = clients.stream()
                    .mapToInt(c -> c.gaps() + c.duplicates() + c.resets())
                    .sum();
            long events = clients.stream().mapToLong(ResumingClient::events).sum();
            clients.forEach(ResumingClient::stop); // all vanish at once, with resets
            Duration back = census.awaitBaseline(baseline, Duration.ofSeconds(30), HEAP_SLACK);
            System.out.printf(
                    "SpikeLeakTest: %d clients (half SSE, half WebSocket) arrived in %d ms on %d topics at %d events/s each"
                            + " (%d events/s), stayed %s: subscription latency SSE %s, WebSocket %s; streaming latency SSE %s,"
                            + " WebSocket %s; %d events received, %d gaps/duplicates/resets; back at baseline %d ms after they vanished%n",
                    CLIENTS,
                    TimeUnit.NANOSECONDS.toMillis(arrived),
                    TOPICS,
                    EVENTS_PER_TOPIC_PER_SECOND,
                    TOPICS * EVENTS_PER_TOPIC_PER_SECOND,
                    STAY,
                    sseSubscription,
                    wsSubscription,
                    sseStreaming,
                    wsStreaming,
                    events,
                    gaps,
                    back.toMillis());
            assertEquals(0, refusedBatches.get(), "every batch published");
            assertEquals(0, gaps, "every client's stream in order, without a gap");
        } finally {
            if (publisher[0] != null) {
                publisher[0].stop();
            }
            clients.forEach(ResumingClient::stop);
        }
    }
}
