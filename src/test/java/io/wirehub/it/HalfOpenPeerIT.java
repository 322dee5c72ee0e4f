package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.HubStats;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Latencies;
import io.wirehub.testing.Load;
import io.wirehub.testing.RawStreams;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Half-open peers: clients that stop reading and never close (no FIN, no RST), as a phone that
 * lost its network or a stuck proxy. Each is closed by its deadline (the write deadline, and for
 * a WebSocket the pong deadline too) while the clients that do read keep receiving without delay.
 */
@Load
class HalfOpenPeerIT {
    private static final int STALLED_PER_TRANSPORT = 100;
    private static final int READERS_PER_TRANSPORT = 5;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PONG_TIMEOUT = Duration.ofSeconds(1);
    private static final String PADDING = "x".repeat(16 * 1024); // fills a stalled peer's buffers in a few events
    private static final Duration MAX_PUBLISHING = Duration.ofSeconds(20);

    @Test
    void peersThatStopReadingAreClosedByTheirDeadlinesWhileTheOthersKeepTheirLatency() throws Exception {
        Map<String, String> env = Map.of(
                "WH_WRITE_TIMEOUT",
                "1s",
                "WH_WS_PONG_TIMEOUT",
                "1s",
                "WH_HEARTBEAT_INTERVAL",
                "200ms",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_SSE_CHANNEL_BUFFER",
                "16",
                "WH_WS_CHANNEL_BUFFER",
                "16");
        List<Socket> stalled = new ArrayList<>();
        List<SseClient> sseReaders = new ArrayList<>();
        List<WsClient> wsReaders = new ArrayList<>();
        try (WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            HubStats stats = hub.hub().stats();
            for (int i = 0; i < STALLED_PER_TRANSPORT; i++) { // they never read, not even the response head
                stalled.add(RawStreams.open(hub.port(), RawStreams.sse("topic=half.open", null), 4096));
                stalled.add(RawStreams.open(hub.port(), RawStreams.webSocket("topic=half.open"), 4096));
            }
            for (int i = 0; i < READERS_PER_TRANSPORT; i++) {
                sseReaders.add(SseClient.connect(base + "/v1/sse?topic=half.open"));
                wsReaders.add(WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=half.open"));
            }
            int readers = 2 * READERS_PER_TRANSPORT;
            Eventually.await(
                    "every stream live",
                    Duration.ofSeconds(10),
                    () -> stats.subscribers() == 2 * STALLED_PER_TRANSPORT + readers
                            ? null
                            : stats.subscribers() + " live");

            // Publish, each event once every reader got the previous one, until every stalled peer is closed.
            Latencies latencies = new Latencies();
            long started = System.nanoTime();
            long allClosedAt = 0;
            int published = 0;
            while (allClosedAt == 0 && System.nanoTime() - started < MAX_PUBLISHING.toNanos()) {
                long sent = System.nanoTime();
                Http.publish(base, "half.open", "\"" + PADDING + "\"");
                published++;
                for (SseClient reader : sseReaders) {
                    assertNotNull(
                            reader.next(WRITE_TIMEOUT),
                            "an SSE reader got event " + published + " within the write timeout");
                    latencies.add(System.nanoTime() - sent);
                }
                for (WsClient reader : wsReaders) {
                    assertNotNull(
                            reader.next(WRITE_TIMEOUT),
                            "a WebSocket reader got event " + published + " within the write timeout");
                    latencies.add(System.nanoTime() - sent);
                }
                if (stats.subscribers() == readers) {
                    allClosedAt = System.nanoTime();
                }
            }
            assertTrue(
                    allClosedAt != 0,
                    "every stalled peer closed within " + MAX_PUBLISHING + "; " + stats.subscribers()
                            + " streams still live");
            long byDeadline = stats.closes(CloseReason.WRITE_TIMEOUT) + stats.closes(CloseReason.PONG_TIMEOUT);
            assertEquals(
                    2 * STALLED_PER_TRANSPORT,
                    byDeadline,
                    "each stalled peer closed by a deadline, nothing else closed");
            assertTrue(
                    stats.closes(CloseReason.WRITE_TIMEOUT) >= STALLED_PER_TRANSPORT,
                    "the SSE ones by the write deadline");
            Eventually.await(
                    "no drain loop left for a stalled peer",
                    Duration.ofSeconds(10),
                    () -> stats.drainLoops() == readers ? null : stats.drainLoops() + " drain loops");

            System.out.printf(
                    "HalfOpenPeerIT: %d stalled SSE + %d stalled WS closed %d ms after the first event"
                            + " (write_timeout %s, ws_pong_timeout %s: %d by write deadline, %d by pong deadline); %d readers got %d events,"
                            + " latency %s%n",
                    STALLED_PER_TRANSPORT,
                    STALLED_PER_TRANSPORT,
                    TimeUnit.NANOSECONDS.toMillis(allClosedAt - started),
                    WRITE_TIMEOUT,
                    PONG_TIMEOUT,
                    stats.closes(CloseReason.WRITE_TIMEOUT),
                    stats.closes(CloseReason.PONG_TIMEOUT),
                    readers,
                    published,
                    latencies);
        } finally {
            stalled.forEach(RawStreams::reset);
            sseReaders.forEach(SseClient::close);
            wsReaders.forEach(WsClient::close);
        }
    }
}
