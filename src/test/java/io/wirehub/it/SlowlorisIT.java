package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.http.ConnectionLimit;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Load;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Connections that never finish their request head (slowloris, no token needed) cannot starve
 * /health or the streams, and the server closes them after server.header_timeout. The attackers
 * connect from other loopback addresses (127.0.0.2, ...) than the real clients (127.0.0.1).
 */
@Slow
@Load
class SlowlorisIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CLOSED_WAITING = "wirehub_connections_closed_waiting_total";
    private static final byte[] PARTIAL_HEAD =
            "GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void unfinishedHeadsStarveNeitherHealthNorStreamsAndAreClosedAfterTheHeaderTimeout() throws Exception {
        // 3: room for the SSE stream, the WebSocket and a publish. Helidon's TCP cap used to be 3 + 64:
        // 70 heads took every place, and /health waited minutes.
        try (WireHub hub = TestHubs.start(Map.of("WH_MAX_CONNECTIONS", "3", "WH_HEADER_TIMEOUT", "2s"))) {
            String base = TestHubs.base(hub);
            List<Socket> heads = new ArrayList<>();
            try {
                for (int i = 0; i < 70; i++) { // 7 from each of 10 addresses: under the per-address bound
                    heads.add(partialHead(hub.port(), "127.0.0." + (2 + i % 10)));
                }
                long start = System.nanoTime();
                HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
                HttpResponse<String> health = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/health"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
                try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=loris");
                        WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=loris")) {
                    assertEquals(200, stream.status());
                    ws.ready();
                    publish(client, base, "meanwhile");
                    assertEquals("meanwhile", stream.next(WAIT).data());

                    for (Socket head : heads) {
                        assertClosedByServer(head, start + Duration.ofSeconds(8).toNanos());
                    }
                    assertTrue(
                            System.nanoTime() - start >= Duration.ofMillis(1500).toNanos(),
                            "not before the header timeout");

                    publish(client, base, "after"); // streams outlive the header timeout
                    SseClient.SseEvent after = stream.next(WAIT);
                    assertNotNull(
                            after,
                            () -> "ended=" + stream.ended() + " " + closes(base)); // which bound closed it, if one did
                    assertEquals("after", after.data());
                    assertEquals("after", ws.take(2, WAIT).getLast().get("data").asText());
                    // Every close was a head's: none of the client's connections (its keep-alive one, the streams).
                    Scrape scrape = Scrape.of(base);
                    assertEquals(
                            (long) heads.size(),
                            scrape.count(CLOSED_WAITING, "reason", "header_timeout")
                                    + scrape.count(CLOSED_WAITING, "reason", "waiting_limit"),
                            () -> closes(base));
                }
            } finally {
                closeAll(heads);
            }
        }
    }

    @Test
    void streamsOpenedBeforeTheWaitingCapFillsSurviveItsEvictions() throws Exception {
        // Only the cap closes anything here (the header timeout is long). The streams are the oldest
        // connections: were they counted as waiting, the cap would close them first.
        // 4: the SSE stream, the WebSocket, a publish, and one spare: the WebSocket may count twice
        // for a moment around its upgrade (seen once: the first publish got too_many_connections).
        try (WireHub hub = TestHubs.start(Map.of("WH_MAX_CONNECTIONS", "4", "WH_HEADER_TIMEOUT", "60s"))) {
            String base = TestHubs.base(hub);
            List<Socket> heads = new ArrayList<>();
            try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=loris");
                    WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=loris")) {
                assertEquals(200, stream.status());
                ws.ready();
                publish(HttpClient.newHttpClient(), base, "before");
                assertEquals("before", stream.next(WAIT).data());
                assertEquals("before", ws.take(1, WAIT).getLast().get("data").asText());

                int waitingLimit = ConnectionLimit.waitingLimit(4);
                for (int i = 0;
                        i < waitingLimit + 40;
                        i++) { // 10 from each of 10 addresses: under the per-address bound
                    heads.add(partialHead(hub.port(), "127.0.0." + (2 + i % 10)));
                }
                Eventually.await("40 heads evicted", WAIT, () -> {
                    long evicted = Scrape.of(base).count(CLOSED_WAITING, "reason", "waiting_limit");
                    return evicted >= 40 ? null : evicted + " evicted";
                });

                publish(HttpClient.newHttpClient(), base, "after"); // a new connection: idle ones may have been evicted
                SseClient.SseEvent after = stream.next(WAIT);
                assertNotNull(after, () -> "ended=" + stream.ended() + " " + closes(base));
                assertEquals("after", after.data());
                assertEquals("after", ws.take(1, WAIT).getLast().get("data").asText());
                assertEquals(0, Scrape.of(base).count(CLOSED_WAITING, "reason", "header_timeout"));
            } finally {
                closeAll(heads);
            }
        }
    }

    @Test
    void oneAddressHoldsNoMoreLongWaitingConnectionsThanItsBoundWhileABurstGetsIn() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of("WH_MAX_WAITING_PER_ADDRESS", "4", "WH_HEADER_TIMEOUT", "30s"))) {
            List<Socket> old = new ArrayList<>();
            List<Socket> young = new ArrayList<>();
            try {
                // A burst of 8 from one address (a NAT, a proxy): all let in.
                for (int i = 0; i < 8; i++) {
                    old.add(partialHead(hub.port(), "127.0.0.2"));
                }
                // Once they have held their place past the grace (a second), each newcomer from the
                // same address makes the longest-waiting one close.
                long graceOver = System.nanoTime() + Duration.ofMillis(1200).toNanos();
                while (System.nanoTime() < graceOver) {
                    LockSupport.parkNanos(graceOver - System.nanoTime());
                }
                for (Socket head : old) {
                    assertTrue(stillOpen(head), "a burst from one address is let in");
                }
                for (int i = 0; i < 4; i++) {
                    young.add(partialHead(hub.port(), "127.0.0.2"));
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                List<Socket> stillThere = new ArrayList<>(old);
                while (stillThere.size() > 4 && System.nanoTime() < deadline) {
                    stillThere.removeIf(SlowlorisIT::closedByServer);
                }
                assertEquals(4, stillThere.size(), "4 of the 8 that waited longest made room for the 4 newcomers");
                for (Socket head : young) {
                    assertTrue(stillOpen(head), "the newcomers are kept until their own deadline");
                }
                try (Socket other = new Socket()) { // another address is not affected
                    other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
                    other.connect(new InetSocketAddress("127.0.0.1", hub.port()));
                    other.getOutputStream()
                            .write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                    other.setSoTimeout((int) WAIT.toMillis());
                    String answer = new String(other.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                }
            } finally {
                closeAll(old);
                closeAll(young);
            }
        }
    }

    private static Socket partialHead(int port, String fromAddress) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.getOutputStream().write(PARTIAL_HEAD);
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads until the server closes (EOF or reset), failing if the deadline passes first. */
    private static void assertClosedByServer(Socket socket, long deadlineNanos) throws IOException {
        InputStream in = socket.getInputStream();
        while (true) {
            long left = Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
            assertTrue(left > 0, "the server kept an unfinished head open past its deadline");
            socket.setSoTimeout((int) left);
            try {
                if (in.read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // checked against the deadline above
            } catch (IOException e) {
                return; // reset by the server
            }
        }
    }

    private static boolean closedByServer(Socket socket) {
        try {
            socket.setSoTimeout(50);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static boolean stillOpen(Socket socket) throws IOException {
        socket.setSoTimeout(200);
        try {
            return socket.getInputStream().read() >= 0;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    private static String closes(String base) {
        return Scrape.of(base)
                .text()
                .lines()
                .filter(l -> l.contains("closed_waiting") || l.contains("closes") || l.contains("streams_open"))
                .toList()
                .toString();
    }

    private static void publish(HttpClient client, String base, String data) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/topics/loris/events"))
                        .timeout(WAIT)
                        .POST(HttpRequest.BodyPublishers.ofString(data))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
