package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import java.io.IOException;

/**
 * Where a subscriber's drain thread writes: one per connection, implemented by each transport.
 * Only the drain thread calls these methods, except {@link #finish} (see there).
 */
public interface SubscriberSink {

    /** Starts the stream (SSE: status, headers and a first flush). */
    void open() throws IOException;

    /** Writes one event; may buffer until {@link #flush()}. */
    void event(Event event, String cursorToken) throws IOException;

    void reset(Reset reset, String cursorToken) throws IOException;

    /** Writes the heartbeat. Returns true when the peer must acknowledge it (a WebSocket pong). */
    boolean heartbeat() throws IOException;

    void flush() throws IOException;

    /**
     * Ends the connection once the drain loop has stopped, saying why where the protocol can
     * (a WebSocket close code; on shutdown an SSE {@code retry:}). Must not throw. Called once.
     */
    void finish(CloseReason reason, long retryMillis);
}
