package io.wirehub.bus;

import io.wirehub.event.Event;
import java.util.List;
import java.util.Optional;

/**
 * Carries committed events to every instance's hub.
 *
 * <p>Fire and forget: a bus may lose messages (Redis pub/sub does while a connection is down).
 * That is safe because events are already stored and the hub fills any seq jump from the store;
 * after a reconnect the bus calls {@link BusListener#reconnected()} so the hub backfills the
 * tail that no later event would reveal.
 */
public interface EventBus extends AutoCloseable {

    /** Starts delivering to the listener (the hub). Called once, before any publish. */
    void start(BusListener listener);

    /**
     * Sends events that are already committed, in seq order per topic. Never throws for a
     * transport failure: the events are durable and other instances recover them; the local
     * instance must still receive them.
     */
    void publish(List<Event> events);

    /**
     * Where the hub reports the topics it follows. A bus that routes by interest subscribes to
     * them; the others receive everything and need not know.
     */
    default TopicInterest interest() {
        return TopicInterest.NONE;
    }

    /** Its traffic and failures, for a bus that crosses the network; empty for one that cannot fail. */
    default Optional<BusStats> stats() {
        return Optional.empty();
    }

    /** Whether the bus is connected now (readiness). */
    boolean isHealthy();

    @Override
    void close();
}
