package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.Transport;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.RawStreams;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Clients that vanish without a goodbye (a TCP reset, no WebSocket close frame) leave nothing
 * behind: subscribers, drain loops and topic entries all return to their baseline.
 */
@Load
class AbruptDisconnectLeakTest {
    private static final int CLIENTS_PER_TRANSPORT = 500;

    @Test
    void fiveHundredSseAndFiveHundredWebSocketClientsVanishingLeaveNothingBehind() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of("WH_HEARTBEAT_INTERVAL", "200ms", "WH_MAX_CONNECTIONS", "5000"))) {
            int port = hub.port();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS_PER_TRANSPORT; i++) {
                    sockets.add(RawStreams.open(port, RawStreams.sse("topic=leak.a&topic=leak." + (i % 10), null)));
                    sockets.add(RawStreams.open(port, RawStreams.webSocket("topic=leak.a&topic=leak.w" + (i % 10))));
                }
                for (int i = 1; i < sockets.size(); i += 2) {
                    assertTrue(RawStreams.readHead(sockets.get(i)).startsWith("HTTP/1.1 101"), "WebSocket upgraded");
                }
                Eventually.await(
                        "1000 subscribers registered",
                        Duration.ofSeconds(10),
                        () -> hub.hub().stats().subscribers(Transport.SSE) == CLIENTS_PER_TRANSPORT
                                && hub.hub().stats().subscribers(Transport.WS) == CLIENTS_PER_TRANSPORT);
                assertEquals(2 * CLIENTS_PER_TRANSPORT, hub.hub().stats().drainLoops());
                Http.publish(TestHubs.base(hub), "leak.a", "one event on the way");
            } finally {
                sockets.forEach(RawStreams::reset); // RST: gone without a goodbye
            }
            Eventually.await(
                    "every subscriber removed",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 0);
            Eventually.await(
                    "every drain loop ended",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().drainLoops() == 0);
            assertEquals(0, hub.hub().activeTopics(), "no topic entry left");

            // and the server still serves
            try (SseClient sse = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=leak.after")) {
                Eventually.await(
                        "a new subscriber",
                        Duration.ofSeconds(10),
                        () -> hub.hub().stats().subscribers() == 1);
                Http.publish(TestHubs.base(hub), "leak.after", "still here");
                assertEquals(
                        "still here",
                        sse.take(1, Duration.ofSeconds(5)).getFirst().data());
            }
        }
    }
}
