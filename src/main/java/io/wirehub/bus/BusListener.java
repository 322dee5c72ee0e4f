package io.wirehub.bus;

import io.wirehub.event.Event;
import java.util.Collection;

/** What a bus delivers the other instances' events to: the hub. Called from the bus's own thread(s). */
public interface BusListener {

    void onEvent(Event event);

    /** Messages may have been lost since the bus last delivered: check every active topic. */
    void reconnected();

    /**
     * Messages of these topics may have been lost (their bus subscription has just been made or
     * made again): check them as after a reconnect. Topics nobody follows any more are skipped.
     */
    default void resubscribed(Collection<String> topics) {
        reconnected();
    }
}
