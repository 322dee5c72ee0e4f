package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket stream is positioned before the client sees it open, says where it starts
 * ({@code ready}), acknowledges each subscribe and unsubscribe with its seq, and bounds what a
 * client may leave pending.
 */
class WebSocketProtocolIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void everyEventPublishedTheMomentOpenFiresIsDelivered() throws Exception {
        try (WireHub hub = TestHubs.start();
                Socket publisher = new Socket("127.0.0.1", hub.port())) {
            String url = "ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=open.race";
            byte[] publish = ("POST /v1/topics/open.race/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Length: 6\r\n\r\nonopen")
                    .getBytes(StandardCharsets.US_ASCII);
            publisher.setTcpNoDelay(true);
            for (int i = 1; i <= 200; i++) {
                // The publish leaves from the client's open callback on an already open connection:
                // the tightest race a browser can make against the stream's position.
                try (WsClient client = WsClient.opened(url, () -> send(publisher, publish))) {
                    JsonNode event = client.next(WAIT);
                    assertNotNull(event, "attempt " + i + ": the event published the moment open fired never came");
                    assertEquals(i, event.get("seq").asLong(), "attempt " + i);
                }
            }
        }
    }

    private static void send(Socket socket, byte[] request) {
        try {
            socket.getOutputStream().write(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anUpgradeWithAnInvalidKeyIsRefusedBeforeAnyStreamIsMade() throws Exception {
        try (WireHub hub = TestHubs.start();
                Socket socket = new Socket("127.0.0.1", hub.port())) {
            socket.getOutputStream()
                    .write(("GET /v1/ws?topic=badkey HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertTrue(status.startsWith("HTTP/1.1 400"), status);
            assertEquals(0, hub.hub().subscribers().size(), "no stream, no queue, no store read for a refused upgrade");
            assertEquals(0, hub.hub().activeTopics());
        }
    }

    @Test
    void readySaysWhereEachTopicStartsAndSubscribesAreAcknowledgedWithTheirSeq() throws Exception {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            for (int i = 0; i < 41; i++) {
                Http.publish(base, "ready.prices", "p" + i);
            }
            Http.publish(base, "ready.news", "n1");
            try (WsClient client = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=ready.prices")) {
                assertEquals(
                        41, client.ready().get("topics").get("ready.prices").asLong());

                client.send("{\"op\":\"subscribe\",\"topic\":\"ready.news\"}");
                JsonNode subscribed = client.nextAck(WAIT);
                assertNotNull(subscribed, "subscribe acknowledged");
                assertEquals("subscribed", subscribed.get("op").asText());
                assertEquals("ready.news", subscribed.get("topic").asText());
                assertEquals(1, subscribed.get("seq").asLong(), "it starts after the topic's latest seq");

                assertEquals(2, Http.publish(base, "ready.news", "n2"));
                assertEquals(2, client.next(WAIT).get("seq").asLong(), "the first event after the acknowledged seq");

                client.send("{\"op\":\"unsubscribe\",\"topic\":\"ready.news\"}");
                JsonNode unsubscribed = client.nextAck(WAIT);
                assertNotNull(unsubscribed, "unsubscribe acknowledged");
                assertEquals("unsubscribed", unsubscribed.get("op").asText());
                assertEquals(2, unsubscribed.get("seq").asLong(), "the last seq it had of the topic");
            }
        }
    }

    @Test
    void anUnknownOpIsAnsweredUnknownOpNamingTheOpsAndTheStreamGoesOn() throws Exception {
        try (WireHub hub = TestHubs.start();
                WsClient client = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=ops")) {
            client.send("{\"op\":\"bogus\"}");
            JsonNode error = client.next(WAIT);
            assertNotNull(error, "an answer");
            assertEquals("error", error.get("op").asText(), error.toString());
            assertEquals("unknown_op", error.get("error").asText(), error.toString());
            assertEquals(
                    "unknown op 'bogus'; the ops are subscribe, unsubscribe and publish",
                    error.get("message").asText());

            client.send("{\"op\":\"subscribe\"}");
            assertEquals("invalid_topic", client.next(WAIT).get("error").asText(), "a known op still needs its topic");

            assertEquals(1, Http.publish(TestHubs.base(hub), "ops", "still here"));
            assertEquals(1, client.next(WAIT).get("seq").asLong(), "the stream goes on");
        }
    }

    @Test
    void aClientFloodingSubscribesItsStreamCannotApplyIsClosedAndCounted() throws Exception {
        // The stalled client's drain thread is stuck writing, so nothing it sends gets applied.
        Map<String, String> env = Map.of(
                "WH_WS_CHANNEL_BUFFER",
                "8",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_WRITE_TIMEOUT",
                "60s",
                "WH_WS_PONG_TIMEOUT",
                "60s",
                "WH_HEARTBEAT_INTERVAL",
                "30s");
        try (WireHub hub = TestHubs.start(env);
                WsClient stalled = WsClient.stalled("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=flood")) {
            String base = TestHubs.base(hub);
            String payload = "\"" + "x".repeat(60_000) + "\"";
            for (int i = 0; i < 60 && hub.hub().stats().overflows() == 0; i++) {
                Http.publish(base, "flood", payload);
            }
            assertTrue(hub.hub().stats().overflows() > 0, "the stalled stream's writes are blocked");

            int sent = 0;
            try {
                for (; sent < 400; sent++) {
                    stalled.send("{\"op\":\"" + (sent % 2 == 0 ? "subscribe" : "unsubscribe")
                            + "\",\"topic\":\"flood.more\"}");
                }
            } catch (java.util.concurrent.CompletionException e) {
                // the server closed the connection mid-flood: expected
            }
            assertTrue(sent > 256, "it was closed only past the bound, after " + sent + " messages");

            Eventually.await(
                    "the flooding stream closed",
                    WAIT,
                    () -> hub.hub().stats().closes(CloseReason.SUBSCRIPTION_FLOOD) == 1);
            Eventually.await(
                    "its drain loop ended", WAIT, () -> hub.hub().stats().drainLoops() == 0);
            assertEquals(0, hub.hub().activeTopics(), "it left no topic behind");
        }
    }
}
