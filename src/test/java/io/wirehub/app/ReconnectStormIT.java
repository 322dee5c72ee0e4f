package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.hub.CloseReason;
import io.wirehub.store.postgres.PostgresEventStore;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.LogWatch;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reconnect storm, as after a load balancer restart: every subscriber (half SSE, half WebSocket)
 * drops at once and reconnects at once with its Last-Event-ID ({@code lastEventId} for the
 * WebSockets) while publishing goes on. Every one resumes without
 * a gap or a duplicate (or gets a reset when it missed more than the replay cap), the replays
 * queue for PostgreSQL's small pool instead of failing (no 503, no store_unavailable close), and
 * the storm is over within a bound the test reports.
 *
 * <p>CI size: 2,000 subscribers; {@code -Dwirehub.storm.clients=5000} for the full size.
 */
@Load
class ReconnectStormIT {
    private static final int CLIENTS = Integer.getInteger("wirehub.storm.clients", 2000);
    private static final int TOPICS = 20;
    private static final int PUBLISHES_PER_SECOND = 100;
    private static final Duration STORM_BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void everySubscriberDroppingAndReconnectingAtOnceResumesWithoutGapOrDuplicate() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_MAX_CONNECTIONS", String.valueOf(2 * CLIENTS + 100));
        List<ResumingClient> clients = new ArrayList<>();
        SteadyRate[] publisher = new SteadyRate[1];
        AtomicInteger published = new AtomicInteger();
        try (LogWatch errors = LogWatch.attach("io.wirehub", Level.SEVERE);
                WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            PostgresEventStore store = (PostgresEventStore) hub.store();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(ResumingClient.of(i / TOPICS % 2 == 1, hub.port(), "storm." + (i % TOPICS))
                        .start());
            }
            Eventually.await(
                    "every subscriber connected",
                    Duration.ofSeconds(60),
                    () -> hub.hub().stats().subscribers() == CLIENTS
                            ? null
                            : hub.hub().stats().subscribers() + " live; closed so far: " + TestHubs.closes(hub)
                                    + "; refused: "
                                    + clients.stream()
                                            .mapToLong(c -> c.refusals().size())
                                            .sum());
            publisher[0] = SteadyRate.start(
                    "publisher",
                    PUBLISHES_PER_SECOND,
                    () -> Http.publish(
                            base,
                            "storm." + ThreadLocalRandom.current().nextInt(TOPICS),
                            "{\"n\":" + published.incrementAndGet() + "}"));
            Eventually.await(
                    "every subscriber received events",
                    Duration.ofSeconds(30),
                    () -> clients.stream().allMatch(c -> c.events() > 0) ? null : "some have none yet");

            AtomicInteger peakPool = new AtomicInteger();
            SteadyRate poolWatch = SteadyRate.start(
                    "pool-watch", 200, () -> peakPool.accumulateAndGet(store.activeConnections(), Math::max));
            long unavailableBefore =
                    hub.hub().stats().closes(CloseReason.STORE_UNAVAILABLE); // the first connects' (reported)
            long refusedBefore =
                    clients.stream().mapToLong(c -> c.refusals().size()).sum();
            clients.forEach(c -> c.refusals().clear()); // from here, the storm's
            long stormStarted = System.nanoTime();
            clients.forEach(ResumingClient::drop);
            Eventually.await(
                    "every subscriber reconnected",
                    STORM_BOUND,
                    () -> clients.stream().allMatch(c -> c.connects() >= 2)
                            ? null
                            : clients.stream().filter(c -> c.connects() < 2).count() + " not yet");
            long reconnected = clients.stream()
                            .mapToLong(ResumingClient::connectedAtNanos)
                            .max()
                            .orElseThrow()
                    - stormStarted;
            publisher[0].stop();
            Map<String, Long> last = new HashMap<>();
            for (int t = 0; t < TOPICS; t++) {
                last.put("storm." + t, Http.publish(base, "storm." + t, "{\"last\":true}"));
            }
            Eventually.await(
                    "every subscriber has its topic's last event",
                    STORM_BOUND,
                    () -> clients.stream().allMatch(c -> c.lastSeq() >= last.get(c.topic()))
                            ? null
                            : clients.stream()
                                            .filter(c -> c.lastSeq() < last.get(c.topic()))
                                            .count() + " behind");
            long over = System.nanoTime() - stormStarted;
            poolWatch.stop();

            int gaps = clients.stream().mapToInt(ResumingClient::gaps).sum();
            int duplicates =
                    clients.stream().mapToInt(ResumingClient::duplicates).sum();
            int resets = clients.stream().mapToInt(ResumingClient::resets).sum();
            List<String> refused = clients.stream()
                    .flatMap(c -> c.refusals().stream())
                    .distinct()
                    .toList();
            System.out.printf(
                    "ReconnectStormIT: %d subscribers (half SSE, half WebSocket) on %d topics, %d publishes/s (%d published); all reconnected %d ms"
                            + " after the drop, all caught up %d ms after it; %d events received, %d gaps, %d duplicates, %d resets;"
                            + " peak pool use %d of %d connections; refusals %s; during the first connects (not the storm)"
                            + " %d refusals and %d streams closed as store_unavailable, during the storm %d%n",
                    CLIENTS,
                    TOPICS,
                    PUBLISHES_PER_SECOND,
                    published.get(),
                    TimeUnit.NANOSECONDS.toMillis(reconnected),
                    TimeUnit.NANOSECONDS.toMillis(over),
                    clients.stream().mapToLong(ResumingClient::events).sum(),
                    gaps,
                    duplicates,
                    resets,
                    peakPool.get(),
                    hub.settings().store().postgres().poolSize(),
                    refused,
                    refusedBefore,
                    unavailableBefore,
                    hub.hub().stats().closes(CloseReason.STORE_UNAVAILABLE) - unavailableBefore);
            assertEquals(0, gaps, "no gap");
            assertEquals(0, duplicates, "no duplicate");
            assertEquals(0, resets, "nobody missed more than the replay cap");
            assertEquals(List.of(), refused, "no reconnect refused");
            assertEquals(
                    unavailableBefore,
                    hub.hub().stats().closes(CloseReason.STORE_UNAVAILABLE),
                    "no stream closed for want of a pooled connection during the storm");
            assertEquals(List.of(), errors.records(), "nothing logged as a failure");
        } finally {
            if (publisher[0] != null) {
                publisher[0].stop();
            }
            clients.forEach(ResumingClient::stop);
        }
    }
}
