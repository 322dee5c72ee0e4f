package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Load;
import io.wirehub.testing.Marker;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading never slows the others, and never causes a silent gap: with
 * catch-up it later gets every event; with disconnect it is closed and resumes by reconnecting.
 */
@Load
class SlowSubscriberIT {
    private static final int EVENTS = 300;
    private static final String PAYLOAD = "x".repeat(8000); // 300 x 8 KB overflows the kernel buffers and a queue of 8

    private static WireHub start(String policy, String writeTimeout) {
        Map<String, String> env = new HashMap<>();
        env.put("WH_SSE_CHANNEL_BUFFER", "8");
        env.put("WH_SOCKET_SEND_BUFFER", "65536");
        env.put("WH_OVERFLOW_POLICY", policy);
        env.put("WH_WRITE_TIMEOUT", writeTimeout);
        return TestHubs.start(env);
    }

    @Test
    void stalledSubscriberDoesNotDelayOthersAndCatchesUpWithoutGap() throws Exception {
        try (WireHub hub = start("catch-up", "60s");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=slow.catchup");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=slow.catchup")) {
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);
            String base = TestHubs.base(hub);
            publishPacedBy(fast, base, "slow.catchup", EVENTS);
            assertTrue(hub.hub().stats().overflows() > 0, "the stalled client's queue overflowed");

            SseClient resumed = stalled.startReading();
            List<SseEvent> caughtUp = resumed.take(EVENTS, Duration.ofSeconds(20));
            assertEquals(seqs(1, EVENTS), ids(caughtUp), "once it reads again it gets every event once, in order");
            for (SseEvent event : caughtUp) {
                assertTrue(event.data().startsWith(Ids.position(event.id()) + ":"), "data matches its seq");
            }
            assertTrue(hub.hub().stats().catchUps() > 0, "it caught up from the store");
            Http.publish(base, "slow.catchup", "live again");
            assertEquals(
                    String.valueOf(EVENTS + 1),
                    Ids.position(
                            resumed.take(1, Duration.ofSeconds(5)).getFirst().id()));
            Marker.publish(base, "slow.catchup").assertNext(resumed, "no duplicate");
        }
    }

    @Test
    void withDisconnectPolicyAnOverflowingSubscriberIsClosed() throws Exception {
        try (WireHub hub = start("disconnect", "60s");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=slow.disconnect");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=slow.disconnect")) {
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);
            String base = TestHubs.base(hub);
            publishPacedBy(fast, base, "slow.disconnect", EVENTS);
            Eventually.await(
                    "the stalled client closed for overflow",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().closes(CloseReason.OVERFLOW) == 1);
            assertEquals(1, hub.hub().stats().subscribers());

            SseClient leftovers = stalled.startReading();
            Eventually.await("the server ended the stalled stream", Duration.ofSeconds(10), leftovers::ended);
            List<SseEvent> received = leftovers.drain(Duration.ofMillis(200));
            assertEquals(seqs(1, received.size()), ids(received), "what it did get is a prefix without gap");
            assertTrue(received.size() < EVENTS);
            String resumeFrom = received.isEmpty() ? "0" : received.getLast().id();
            try (SseClient again =
                    SseClient.connect(base + "/v1/sse?topic=slow.disconnect&lastEventId=" + resumeFrom)) {
                SseEvent first = again.next(Duration.ofSeconds(5));
                assertNotNull(first);
                assertTrue(
                        Ids.position(first.id()).equals(String.valueOf(received.size() + 1))
                                || "reset".equals(first.event()),
                        "reconnecting resumes right after its last event, or says reset: " + first);
            }
        }
    }

    @SuppressWarnings("try") // the stalled client is held open and never read: that is the test
    @Test
    void aStreamClosedForOverflowLeavesNoThreadBehindWhenItsClientNeverReadsAgain() throws Exception {
        try (WireHub hub = start("disconnect", "1s");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=slow.gone");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=slow.gone")) {
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);
            publishPacedBy(fast, TestHubs.base(hub), "slow.gone", EVENTS);
            Eventually.await(
                    "closed for overflow",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().closes(CloseReason.OVERFLOW) == 1);
            // Its last write (the end of the response) meets a full socket: write_timeout + a tick bounds it.
            Eventually.await(
                    "only the reading client's drain loop left",
                    Duration.ofSeconds(3),
                    () -> hub.hub().stats().drainLoops() == 1);
        }
    }

    @SuppressWarnings("try") // the stalled client is held open and never read: that is the test
    @Test
    void writeBlockedPastTheTimeoutClosesTheStream() throws Exception {
        try (WireHub hub = start("catch-up", "500ms");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=slow.timeout");
                SseClient fast = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=slow.timeout")) {
            Eventually.await(
                    "two subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 2);
            String base = TestHubs.base(hub);
            publishPacedBy(fast, base, "slow.timeout", 100);
            Eventually.await(
                    "the stalled writer cut off",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().closes(CloseReason.WRITE_TIMEOUT) == 1);
            Eventually.await(
                    "its drain loop ended",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().drainLoops() == 1);
        }
    }

    @SuppressWarnings("try") // the stalled client is held open and never read: that is the test
    @Test
    void webSocketClientThatStopsReadingIsClosedWhileOthersKeepReceiving() throws Exception {
        Map<String, String> env = Map.of(
                "WH_WS_CHANNEL_BUFFER",
                "8",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_WS_PONG_TIMEOUT",
                "1s",
                "WH_WRITE_TIMEOUT",
                "1s",
                "WH_HEARTBEAT_INTERVAL",
                "200ms");
        try (WireHub hub = TestHubs.start(env);
                WsClient reader = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=slow.ws");
                WsClient stalled = WsClient.stalled("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=slow.ws")) {
            // No wait for the server's count: a WebSocket is positioned before its open fires.
            String base = TestHubs.base(hub);
            for (int i = 1; i <= 100; i++) {
                Http.publish(base, "slow.ws", "\"" + i + ":" + PAYLOAD + "\"");
            }
            assertEquals(100, reader.take(100, Duration.ofSeconds(10)).size());
            Eventually.await(
                    "the stalled WebSocket closed",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 1);
            long deadlineCloses = hub.hub().stats().closes(CloseReason.WRITE_TIMEOUT)
                    + hub.hub().stats().closes(CloseReason.PONG_TIMEOUT);
            assertEquals(1, deadlineCloses, "closed by a write or pong deadline");
        }
    }

    /**
     * Publishes events one at a time, each only once the reading client got the previous one:
     * its own queue never fills, and each event must reach it within 2 s although another
     * subscriber stalled.
     */
    private static void publishPacedBy(SseClient reader, String base, String topic, int count)
            throws InterruptedException {
        for (int i = 1; i <= count; i++) {
            Http.publish(base, topic, i + ":" + PAYLOAD);
            SseEvent event = reader.next(Duration.ofSeconds(2));
            assertNotNull(event, "event " + i + " reached the reading client within 2 s although the other stalled");
            assertEquals(String.valueOf(i), Ids.position(event.id()));
        }
    }

    private static List<Long> seqs(int from, int to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> ids(List<SseEvent> events) {
        return events.stream().map(event -> Ids.seq(event.id())).toList();
    }
}
