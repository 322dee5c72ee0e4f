package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.event.NewEvent;
import io.wirehub.store.postgres.PostgresEventStore;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.TestHubs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that vanish in the middle of a replay from PostgreSQL leave nothing behind: no borrowed
 * connection (Hikari's leak detection on), no subscriber.
 */
@Load
class PostgresReplayLeakTest {
    private static final int STREAMS = 1000;
    private static final int AT_ONCE = 200; // connections being opened at the same moment
    private static final List<String> TOPICS = List.of("leak.a", "leak.b", "leak.c", "leak.d");

    static {
        System.setProperty("wirehub.test.leakDetection", "true");
    }

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void aThousandAbruptDisconnectsDuringReplayLeaveNoConnectionOrSubscriberBehind() throws Exception {
        try (WireHub hub = TestHubs.start(schema.env())) {
            PostgresEventStore store = (PostgresEventStore) hub.store();
            for (String topic : TOPICS) {
                store.append(IntStream.rangeClosed(1, 150)
                        .mapToObj(i -> new NewEvent(topic, null, "event " + i, false))
                        .toList());
            }
            // Every stream asks for the last 100 events of four topics: four store reads each.
            String cursor = TOPICS.stream().map(topic -> topic + ":50").collect(Collectors.joining(","));
            String request = "GET /v1/sse?"
                    + TOPICS.stream().map(topic -> "topic=" + topic).collect(Collectors.joining("&"))
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: " + cursor
                    + "\r\n\r\n";

            AtomicInteger opened = new AtomicInteger();
            Semaphore atOnce = new Semaphore(AT_ONCE);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < STREAMS; i++) {
                    atOnce.acquire();
                    clients.submit(() -> {
                        try {
                            if (openAndVanish(hub.port(), request)) {
                                opened.incrementAndGet();
                            }
                        } finally {
                            atOnce.release();
                        }
                        return null;
                    });
                }
            }

            assertEquals(STREAMS, opened.get(), "every stream started before its client vanished");
            Eventually.await(
                    "pooled connections back in the pool",
                    Duration.ofSeconds(15),
                    () -> store.activeConnections() == 0 ? null : store.activeConnections() + " active");
            Eventually.await(
                    "subscribers gone",
                    Duration.ofSeconds(15),
                    () -> hub.hub().stats().subscribers() == 0
                            ? null
                            : hub.hub().stats().subscribers() + " subscribers");
            assertEquals(151, Http.publish(TestHubs.base(hub), "leak.a", "still serving"));
        }
    }

    /**
     * Sends the request, waits for the response to start (the stream is open and its replay
     * under way), then resets the connection: no FIN, no goodbye. True when the stream had started.
     */
    private static boolean openAndVanish(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] start = new byte[12];
            int read = in.readNBytes(start, 0, start.length);
            socket.setSoLinger(true, 0); // close() now sends RST
            return read == start.length && new String(start, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        }
    }
}
