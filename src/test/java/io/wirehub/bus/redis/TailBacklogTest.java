package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailBacklogTest {

    @Test
    void keepsOnlyTheNewestEventOfEachTopic() {
        TailBacklog backlog = new TailBacklog(10);
        backlog.keep(List.of(event("a", 1), event("b", 1), event("a", 2)));
        backlog.keep(List.of(event("a", 1))); // an older one failing late does not replace the tail

        assertEquals(List.of("b#1", "a#2"), names(backlog.takeAll()));
        assertTrue(backlog.isEmpty());
        assertEquals(List.of(), backlog.takeAll());
    }

    @Test
    void forgetsTheLongestWaitingTopicsPastItsBound() {
        TailBacklog backlog = new TailBacklog(2);
        backlog.keep(List.of(event("a", 1), event("b", 1), event("c", 1)));

        assertEquals(List.of("b#1", "c#1"), names(backlog.takeAll()));
        assertEquals(1, backlog.dropped());
    }

    private static Event event(String topic, long seq) {
        return new Event(topic, seq, null, "x", false, 0);
    }

    private static List<String> names(List<Event> events) {
        return events.stream().map(e -> e.topic() + "#" + e.seq()).toList();
    }
}
