package io.wirehub.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.SseClient.SseEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The negative check without a fixed wait ("nothing more arrived"): publish a marker after the
 * events under test, then assert that the next thing a client receives is the marker. Whatever
 * was still on its way to that client (a late duplicate, a stray replay) comes before it, so the
 * check cannot pass by waiting too little on a loaded machine, and takes only as long as the
 * marker's own delivery.
 */
public record Marker(String topic, long seq, String data) {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicLong PUBLISHED = new AtomicLong();

    /** Publishes a marker on the topic (text data, unique in this JVM). */
    public static Marker publish(String base, String topic) {
        String data = "marker " + PUBLISHED.incrementAndGet();
        return new Marker(topic, Http.publish(base, topic, data), data);
    }

    /** Fails unless the client's next event is this marker. */
    public void assertNext(SseClient client, String what) throws InterruptedException {
        SseEvent next = client.next(WAIT);
        assertNotNull(next, what + ": the marker (" + topic + " #" + seq + ") did not arrive within " + WAIT);
        assertEquals(
                data, next.data(), what + ": something came before the marker (" + topic + " #" + seq + "): " + next);
    }

    /** Fails unless the client's next event message is this marker. */
    public void assertNext(WsClient client, String what) throws InterruptedException {
        JsonNode next = client.next(WAIT);
        assertNotNull(next, what + ": the marker (" + topic + " #" + seq + ") did not arrive within " + WAIT);
        assertEquals(
                topic + " #" + seq,
                next.path("topic").asText() + " #" + next.path("seq").asLong(),
                what + ": something came before the marker: " + next);
    }
}
