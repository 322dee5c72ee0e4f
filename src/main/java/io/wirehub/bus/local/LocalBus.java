package io.wirehub.bus.local;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.EventBus;
import io.wirehub.bus.LocalDelivery;
import io.wirehub.event.Event;
import java.util.List;

/** The embedded bus: one instance, so publishing is handing the events to the hub ({@link LocalDelivery}). */
public final class LocalBus implements EventBus {
    private volatile LocalDelivery delivery;

    @Override
    public void start(BusListener listener) {
        this.delivery = new LocalDelivery(listener);
    }

    @Override
    public void publish(List<Event> events) {
        LocalDelivery target = delivery;
        if (target != null) {
            target.deliver(events);
        }
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        LocalDelivery started = delivery;
        delivery = null;
        if (started != null) {
            started.close();
        }
    }
}
