package io.wirehub.store;

import io.wirehub.event.Event;
import java.util.List;

/** A topic's latest seq and its newest events (ascending), for a client that re-hydrates. */
public record Snapshot(String topic, long seq, List<Event> events) {}
