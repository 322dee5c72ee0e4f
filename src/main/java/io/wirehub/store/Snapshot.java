package io.wirehub.store;

import io.wirehub.event.Event;
import java.util.List;

/**
 * A topic's latest seq and its newest events (ascending), for a client that re-hydrates.
 *
 * @param truncated whether older events within the limit asked were left out to fit the byte cap
 */
public record Snapshot(String topic, long seq, List<Event> events, boolean truncated) {

    /** Every event within the limit asked. */
    public Snapshot(String topic, long seq, List<Event> events) {
        this(topic, seq, events, false);
    }

    /** The newest of {@code events} (ascending) whose data add up to at most maxBytes, and always the newest one. */
    public static Snapshot newestThatFit(String topic, long seq, List<Event> events, long maxBytes) {
        long bytes = 0;
        int first = events.size();
        while (first > 0) {
            bytes += Backlog.utf8Length(events.get(first - 1).data());
            if (bytes > maxBytes && first < events.size()) {
                break;
            }
            first--;
        }
        return new Snapshot(topic, seq, List.copyOf(events.subList(first, events.size())), first > 0);
    }
}
