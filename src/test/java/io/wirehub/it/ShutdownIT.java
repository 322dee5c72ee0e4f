package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A draining instance ends its streams cleanly so clients reconnect elsewhere. */
class ShutdownIT {

    @Test
    void shutdownEndsSseStreamsAndClosesWebSocketsWithGoingAway() throws Exception {
        WireHub hub = TestHubs.start();
        try (SseClient sse = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=drain");
                WsClient socket = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=drain")) {
            Http.publish(TestHubs.base(hub), "drain", "before");
            assertEquals("before", sse.take(1, Duration.ofSeconds(5)).getFirst().data());
            socket.take(1, Duration.ofSeconds(5));

            hub.close();
            Eventually.await("the SSE stream ended", Duration.ofSeconds(10), sse::ended);
            assertEquals(1001, socket.closeCode(Duration.ofSeconds(5)), "WebSocket closed with 1001 going away");
            assertEquals(2, hub.hub().stats().closes(CloseReason.SHUTDOWN));
            assertEquals(0, hub.hub().stats().drainLoops());
            assertTrue(hub.hub().stats().subscribers() == 0);
        }
    }
}
