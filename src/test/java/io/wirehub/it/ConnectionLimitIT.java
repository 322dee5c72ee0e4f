package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.app.WireHub;
import io.wirehub.hub.Transport;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The connection past server.max_connections gets a 503 at once, and the others go on as before. */
class ConnectionLimitIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void theConnectionPastTheCapGets503WithRetryAfterAndTheOthersAreUnaffected() throws Exception {
        try (WireHub hub = TestHubs.start(Map.of("WH_MAX_CONNECTIONS", "4"))) {
            String base = TestHubs.base(hub);
            List<SseClient> streams = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    streams.add(SseClient.connect(base + "/v1/sse?topic=cap"));
                    assertEquals(200, streams.getLast().status());
                }
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=cap");
                Eventually.await(
                        "the WebSocket counts", WAIT, () -> hub.hub().stats().subscribers(Transport.WS) == 1);

                HttpResponse<String> refused = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=cap"))
                                        .timeout(WAIT)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(503, refused.statusCode(), "answered at once, not left hanging");
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
                assertEquals(
                        "too_many_connections",
                        Http.JSON.readTree(refused.body()).get("error").asText());
                CompletionException upgrade = org.junit.jupiter.api.Assertions.assertThrows(
                        CompletionException.class,
                        () -> WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=cap"));
                assertEquals(
                        503,
                        ((WebSocketHandshakeException) upgrade.getCause())
                                .getResponse()
                                .statusCode());
                assertEquals(200, Http.get(base + "/health").status(), "health is never refused");

                ws.close();
                Eventually.await(
                        "the WebSocket is gone", WAIT, () -> hub.hub().stats().subscribers(Transport.WS) == 0);
                long seq = Http.publish(base, "cap", "still flowing");
                for (SseClient stream : streams) {
                    assertEquals(
                            "still flowing", stream.take(1, WAIT).getFirst().data());
                }
                assertEquals(1, seq);
                assertEquals(
                        2,
                        Scrape.of(base).count("wirehub_connections_refused_total"),
                        "the request and the upgrade refused, counted");
            } finally {
                streams.forEach(SseClient::close);
            }
        }
    }
}
