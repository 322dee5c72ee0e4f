package io.wirehub.bus;

import io.wirehub.event.Event;

/** What a bus delivers to: the hub. Called from the bus's own thread(s). */
public interface BusListener {

    void onEvent(Event event);

    /** Messages may have been lost since the bus last delivered: check every active topic. */
    void reconnected();
}
