package io.wirehub.bus.local;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.EventBus;
import io.wirehub.event.Event;
import java.util.List;

/** The embedded bus: one instance, so publishing is handing the events straight to the hub. */
public final class LocalBus implements EventBus {
    private volatile BusListener listener;

    @Override
    public void start(BusListener listener) {
        this.listener = listener;
    }

    @Override
    public void publish(List<Event> events) {
        BusListener target = listener;
        if (target != null) {
            events.forEach(target::onEvent);
        }
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        listener = null;
    }
}
