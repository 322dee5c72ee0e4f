package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import java.io.IOException;
import java.util.Map;

/**
 * Where a subscriber's drain thread writes: one per connection, implemented by each transport.
 * Only the drain thread calls these methods, except {@link #finish} (see there).
 */
public interface SubscriberSink {

    /**
     * Starts the stream (SSE: status, headers and a first flush; WebSocket: the {@code ready}
     * message). The stream is positioned already: every event after these seqs will follow.
     *
     * @param positions each topic's seq the stream starts after
     */
    void open(Map<String, Long> positions, String cursorToken) throws IOException;

    /**
     * Acknowledges a topic joined or left after the stream opened (WebSocket subscribe or
     * unsubscribe): the stream has every event of the topic after {@code seq} (joined), or had
     * those up to {@code seq} (left).
     */
    void topicChanged(String topic, boolean follows, long seq, String cursorToken) throws IOException;

    /** Writes one event; may buffer until {@link #flush()}. Returns the bytes it wrote (for the metrics). */
    int event(Event event, CharSequence cursorToken) throws IOException;

    /** Returns the bytes it wrote. */
    int reset(Reset reset, String cursorToken) throws IOException;

    /** Writes the heartbeat. Returns true when the peer must acknowledge it (a WebSocket pong). */
    boolean heartbeat() throws IOException;

    void flush() throws IOException;

    /**
     * Ends the connection once the drain loop has stopped, saying why where the protocol can
     * (a WebSocket close code; on shutdown an SSE {@code retry:}). Must not throw. Called once,
     * under the write deadline: it may be interrupted.
     */
    void finish(CloseReason reason, long retryMillis);
}
