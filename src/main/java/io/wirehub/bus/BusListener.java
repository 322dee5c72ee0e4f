package io.wirehub.bus;

import io.wirehub.event.Event;
import java.util.Collection;

/** What a bus delivers to: the hub. Called from the bus's own thread(s). */
public interface BusListener {

    void onEvent(Event event);

    /**
     * Whether an event of the topic fans out to so many streams here that a publishing virtual
     * thread should hand it over rather than dispatch it itself ({@link LocalDelivery}).
     */
    default boolean fansOutWide(String topic) {
        return false;
    }

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
