package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory store at store.memory.max_topics: forgetting other topics never costs a quiet topic's subscriber its events. */
class MemoryForgottenTopicsIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        hub = TestHubs.start(Map.of("WH_STORE_MEMORY_MAX_TOPICS", "2"));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void aSubscriberOfAQuietTopicGetsItsFirstEventAfterOtherTopicsWereForgotten() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=floor.quiet")) {
            assertEquals(200, sse.status());
            // Three topics into a store of two: the oldest is forgotten and the store's seq floor rises.
            Http.publish(base, "floor.a", "a");
            Http.publish(base, "floor.b", "b");
            Http.publish(base, "floor.c", "c");
            assertEquals(2, ((MemoryEventStore) hub.store()).topicCount());

            Http.publish(base, "floor.quiet", "first");

            SseEvent first = sse.next(WAIT);
            assertEquals("first", first.data(), "no reset: nothing was missed: " + first);
        }
    }

    @Test
    void aWebSocketThatSubscribesToAQuietTopicGetsItsFirstEventAfterOtherTopicsWereForgotten() throws Exception {
        try (WsClient ws = WsClient.connect(base.replace("http", "ws") + "/v1/ws?topic=floor.ws.other")) {
            ws.send("{\"op\":\"subscribe\",\"topic\":\"floor.ws.quiet\"}");
            assertEquals("subscribed", ws.nextAck(WAIT).get("op").asText());
            Http.publish(base, "floor.ws.a", "a");
            Http.publish(base, "floor.ws.b", "b");
            Http.publish(base, "floor.ws.c", "c");

            Http.publish(base, "floor.ws.quiet", "first");

            JsonNode first = ws.next(WAIT);
            assertEquals("first", first.path("data").asText(), "no reset: nothing was missed: " + first);
        }
    }
}
