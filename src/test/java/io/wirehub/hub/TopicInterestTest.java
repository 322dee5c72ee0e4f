package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.bus.TopicInterest;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hub tells the bus which topics it follows, and backfills the topics a bus re-subscribed. */
class TopicInterestTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final GatedStore store = new GatedStore();
    private final Hub hub = new Hub(
            store,
            new HubSettings(
                    64,
                    64,
                    100,
                    OverflowPolicy.CATCH_UP,
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1)),
            () -> 0L);
    private final List<String> reported = new CopyOnWriteArrayList<>();

    TopicInterestTest() {
        hub.reportInterestTo(new TopicInterest() {
            @Override
            public void follow(String topic) {
                reported.add("+" + topic);
            }

            @Override
            public void unfollow(String topic) {
                reported.add("-" + topic);
            }
        });
    }

    @Test
    void theBusHearsOfATopicOnItsFirstSubscriberAndAfterItsLastOnly() throws Exception {
        Subscriber first = start(List.of("a", "b"), new RecordingSink(false));
        Subscriber second = start(List.of("a"), new RecordingSink(false));
        Eventually.await("both joined", WAIT, () -> hub.subscriptions() == 3);
        assertEquals(Set.of("+a", "+b"), Set.copyOf(reported));
        assertEquals(2, reported.size(), "a second subscriber of a is not reported");

        first.close(CloseReason.SHUTDOWN);
        Eventually.await("the first left", WAIT, () -> hub.subscriptions() == 1);
        assertEquals(List.of("-b"), reported.subList(2, reported.size()), "a keeps a subscriber");
        second.close(CloseReason.SHUTDOWN);
        Eventually.await("the second left", WAIT, () -> hub.activeTopics() == 0);
        assertEquals(List.of("-b", "-a"), reported.subList(2, reported.size()));
    }

    @Test
    void aResubscribedTopicGetsWhatTheBusLostAndOtherTopicsAreNotRead() throws Exception {
        RecordingSink aSeqs = new RecordingSink(false);
        RecordingSink bSeqs = new RecordingSink(false);
        Subscriber a = start(List.of("a"), aSeqs);
        Subscriber b = start(List.of("b"), bSeqs);
        Eventually.await("both joined", WAIT, () -> hub.activeTopics() == 2);
        hub.onEvent(append("a"));
        hub.onEvent(append("b"));
        assertEquals(List.of(1L), aSeqs.take(1));
        assertEquals(List.of(1L), bSeqs.take(1));

        append("a"); // lost on the bus
        append("b"); // lost on the bus, and b's subscription did not drop
        hub.resubscribed(List.of("a", "gone"));

        assertEquals(List.of(2L), aSeqs.take(1), "a's lost event is read from the store");
        assertEquals(List.of(), bSeqs.drainQuietly(), "b is not read: its subscription did not drop");
        a.close(CloseReason.SHUTDOWN);
        b.close(CloseReason.SHUTDOWN);
    }

    private Subscriber start(List<String> topics, RecordingSink sink) throws InterruptedException {
        Subscriber subscriber = hub.subscriber(Transport.SSE, topics, Map.of(), Set.of(), sink);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(sink.opened.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return subscriber;
    }

    private Event append(String topic) {
        return store.append(List.of(new NewEvent(topic, null, "x", false))).getFirst();
    }
}
