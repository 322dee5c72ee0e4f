package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Marker;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/** What the bus tests do alike: publish a tail, check every seq once, wait for the bus to be UP. */
final class TwoInstances {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private TwoInstances() {}

    /** One event per topic, all at once, alternately on {@code a} and {@code b}. */
    static void publishOneEach(List<String> topics, WireHub a, WireHub b) throws InterruptedException {
        List<Thread> publishers = new ArrayList<>();
        for (int k = 0; k < topics.size(); k++) {
            WireHub on = k % 2 == 0 ? a : b;
            String topic = topics.get(k);
            publishers.add(Thread.ofVirtual().start(() -> Http.publish(TestHubs.base(on), topic, "tail")));
        }
        for (Thread publisher : publishers) {
            assertTrue(publisher.join(WAIT));
        }
    }

    /**
     * Each client got seqs 1..count of its topic, once, in order, and nothing behind: then a marker
     * published on {@code on} to each of their topics is the next event each one gets.
     */
    static void assertEverySeqOnce(List<WsClient> clients, int count, WireHub on) throws InterruptedException {
        List<Long> expected = LongStream.rangeClosed(1, count).boxed().toList();
        Map<WsClient, String> topics = new LinkedHashMap<>();
        for (WsClient client : clients) {
            List<JsonNode> messages = client.take(count, WAIT);
            assertEquals(
                    expected,
                    messages.stream()
                            .map(message -> message.get("seq").asLong())
                            .toList());
            topics.put(client, messages.getLast().get("topic").asText());
        }
        Map<String, Marker> markers = new HashMap<>();
        for (WsClient client : clients) {
            markers.computeIfAbsent(topics.get(client), topic -> Marker.publish(TestHubs.base(on), topic))
                    .assertNext(client, "no duplicate behind");
        }
    }

    static void awaitBusUp(WireHub... hubs) {
        Eventually.await("the bus UP again", WAIT, () -> List.of(hubs).stream()
                .allMatch(hub -> Http.get(TestHubs.base(hub) + "/health")
                        .json()
                        .get("bus")
                        .asText()
                        .equals("UP")));
    }
}
