package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Transport;
import io.wirehub.testing.Census;
import io.wirehub.testing.ClientFleet;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Thousands of SSE and WebSocket clients (PostgreSQL store, Redis bus: the production parts)
 * leave at once, half with a goodbye and half with a TCP reset, and the instance returns to what
 * it held before they came: hub subscribers, drain loops, topic entries, threads of every name
 * (virtual ones too), Redis subscriptions, pooled connections, open files, and the heap after GC.
 *
 * <p>CI size: 2,000 + 2,000. {@code -Dwirehub.leak.scale=N} multiplies it; the clients live in a
 * second process ({@link ClientFleet}), so the full size is bounded by this process's open-file
 * limit alone (one descriptor per connection here).
 */
@Slow
@Load
class MassDisconnectLeakTest {
    private static final int SCALE = Integer.getInteger("wirehub.leak.scale", 1);
    private static final int PER_TRANSPORT = 2000 * SCALE;
    private static final int TOPICS = 50;
    private static final long HEAP_SLACK = 32L << 20; // what the JIT, pools and class loading may keep

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void twoThousandSseAndTwoThousandWebSocketClientsCutAtOnceLeaveEveryCountAtItsBaseline() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(TestRedis.channel()));
        env.put("WH_MAX_CONNECTIONS", String.valueOf(4 * PER_TRANSPORT + 100));
        // A client gone with a FIN shows on the 2nd write; each WebSocket answers a ping per heartbeat,
        // so the interval grows with the size, or pings alone would fill the two cores.
        env.put("WH_HEARTBEAT_INTERVAL", 250 * SCALE + "ms");
        env.put("WH_WS_PONG_TIMEOUT", 5 * SCALE + "s");
        try (WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            Http.publish(base, "fleet.all", "before anyone listens"); // the HTTP client and the pools start now
            Census census = Census.of(hub);
            Census.Snapshot baseline = census.take();

            try (ClientFleet fleet = ClientFleet.start(hub.port(), PER_TRANSPORT, PER_TRANSPORT, TOPICS)) {
                Eventually.await(
                        "every stream live",
                        Duration.ofSeconds(60),
                        () -> hub.hub().stats().subscribers(Transport.SSE) == PER_TRANSPORT
                                        && hub.hub().stats().subscribers(Transport.WS) == PER_TRANSPORT
                                ? null
                                : live(hub));
                for (int i = 0; i < 5; i++) {
                    Http.publish(base, "fleet.all", "to everyone " + i);
                    Http.publish(base, "fleet." + i, "to some " + i);
                }
                Census.Snapshot loaded = census.take();
                assertEquals(
                        2 * PER_TRANSPORT,
                        hub.hub().stats().subscribers(),
                        "no stream closed before the cut: " + live(hub));
                fleet.cut();
                Duration back = census.awaitBaseline(baseline, Duration.ofSeconds(60), HEAP_SLACK);
                System.out.printf(
                        "MassDisconnectLeakTest: %d SSE + %d WS opened in %d ms; loaded: %s (%d KB heap per stream);"
                                + " back at baseline %d ms after the cut; baseline: %s%n",
                        PER_TRANSPORT,
                        PER_TRANSPORT,
                        fleet.openTook().toMillis(),
                        loaded,
                        (loaded.heapBytes() - baseline.heapBytes()) / 1024 / (2 * PER_TRANSPORT),
                        back.toMillis(),
                        baseline);
            }

            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=fleet.after")) { // and it still serves
                Eventually.await(
                        "a new subscriber",
                        Duration.ofSeconds(10),
                        () -> hub.hub().stats().subscribers() == 1);
                Http.publish(base, "fleet.after", "still here");
                assertEquals(
                        "still here",
                        sse.take(1, Duration.ofSeconds(5)).getFirst().data());
            }
        }
    }

    private static String live(WireHub hub) {
        return hub.hub().stats().subscribers(Transport.SSE) + " SSE and "
                + hub.hub().stats().subscribers(Transport.WS) + " WebSocket live, "
                + hub.hub().stats().drainLoops() + " drain loops, closed: "
                + Arrays.stream(CloseReason.values())
                        .filter(reason -> hub.hub().stats().closes(reason) > 0)
                        .map(reason -> reason.code() + " " + hub.hub().stats().closes(reason))
                        .toList();
    }
}
