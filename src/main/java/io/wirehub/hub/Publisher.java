package io.wirehub.hub;

import io.wirehub.bus.EventBus;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import java.util.List;

/**
 * The publish path: store (which assigns the seqs, all or nothing), then hand the committed
 * events to the bus. An event is acknowledged only once {@link #publish} returns, so an
 * acknowledged event is in the store even if the bus then loses it.
 */
public final class Publisher {
    private final EventStore store;
    private final EventBus bus;
    private final HubStats stats;
    private volatile boolean accepting = true;

    public Publisher(EventStore store, EventBus bus, HubStats stats) {
        this.store = store;
        this.bus = bus;
        this.stats = stats;
    }

    /**
     * @return the stored events with their seqs, in the order given
     * @throws ShuttingDownException once {@link #stop()} was called
     * @throws io.wirehub.store.StoreUnavailableException when nothing was stored
     */
    public List<Event> publish(List<NewEvent> events) {
        if (!accepting) {
            throw new ShuttingDownException();
        }
        List<Event> stored = store.append(events);
        stats.published.add(stored.size());
        bus.publish(stored);
        return stored;
    }

    /** Refuses publishes from now on (the first step of a drain). */
    public void stop() {
        accepting = false;
    }

    /** The instance is draining and takes no more publishes. */
    public static final class ShuttingDownException extends RuntimeException {
        ShuttingDownException() {
            super("wirehub is shutting down", null, false, false);
        }
    }
}
