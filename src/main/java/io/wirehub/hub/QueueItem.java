package io.wirehub.hub;

import io.wirehub.event.Event;

/** What a subscriber's queue holds: an event to deliver, or a signal for its drain thread. */
sealed interface QueueItem {

    /**
     * One dispatched event, made once per dispatch and shared by every subscriber of the topic:
     * a queue slot is a reference, not a copy.
     */
    record Delivery(Event event) implements QueueItem {}

    /** Wakes the drain thread for something other than an event. */
    enum Signal implements QueueItem {
        /** The heartbeat is due: an SSE comment or a WebSocket ping. */
        HEARTBEAT,
        /** The queue overflowed (or the bus lost messages): read the topics from the store. */
        CATCH_UP,
        /** A WebSocket subscribe or unsubscribe is pending. */
        TOPICS_CHANGED
    }
}
