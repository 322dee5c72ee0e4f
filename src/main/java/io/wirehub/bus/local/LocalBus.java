package io.wirehub.bus.local;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.EventBus;
import io.wirehub.event.Event;
import java.util.List;

/**
 * The embedded bus: one instance and no other to tell. This instance's own events reach its
 * streams through the hub's dispatcher, never through a bus, so publishing here is nothing.
 */
public final class LocalBus implements EventBus {

    @Override
    public void start(BusListener listener) {
        // no other instance sends anything
    }

    @Override
    public void publish(List<Event> events) {
        // no other instance to carry them to
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        // nothing held
    }
}
