package io.wirehub.event;

import java.util.Objects;

/**
 * One stored event: its topic, its seq in that topic, an optional SSE event type, and its data.
 *
 * <p>Immutable and shared: the hub hands the same instance to every subscriber, so the bytes a
 * transport sends for it (the SSE frame body, the WebSocket payload around its id) are encoded at
 * most once per instance ({@link #encoded}: lazily, cached; two threads racing compute equal
 * values, so no lock is needed). A queue slot holds this reference, not a copy.
 */
public final class Event {
    private final String topic;
    private final long seq;
    private final String type;
    private final String data;
    private final boolean json;
    private final long timeMillis;

    // When the publish request that stored it arrived (System.nanoTime), 0 when not published
    // here (read from the store, received from another instance): the start of the publish→flush
    // latency. Set once, by the publishing thread, before the event is handed to the bus.
    private volatile long arrivedNanos;

    // The Encoding slots: opaque bytes, built by the transports that own their formats.
    private volatile byte[] encoded0;
    private volatile byte[] encoded1;
    private volatile byte[] encoded2;

    /**
     * @param type SSE event name, or null for the default ("message")
     * @param json whether {@code data} is one JSON value (then WebSocket frames embed it as is), else text
     */
    public Event(String topic, long seq, String type, String data, boolean json, long timeMillis) {
        this.topic = Objects.requireNonNull(topic);
        this.seq = seq;
        this.type = type;
        this.data = Objects.requireNonNull(data);
        this.json = json;
        this.timeMillis = timeMillis;
    }

    public String topic() {
        return topic;
    }

    public long seq() {
        return seq;
    }

    /** The SSE event name, or null. */
    public String type() {
        return type;
    }

    public String data() {
        return data;
    }

    public boolean json() {
        return json;
    }

    public long timeMillis() {
        return timeMillis;
    }

    /** When its publish request arrived here (System.nanoTime), or 0 when unknown. */
    public long arrivedNanos() {
        return arrivedNanos;
    }

    public void arrivedAt(long nanos) {
        this.arrivedNanos = nanos;
    }

    /** This event's bytes in {@code encoding}, built on first use and then shared by every stream that sends it. */
    public byte[] encoded(Encoding encoding) {
        byte[] bytes =
                switch (encoding.slot) {
                    case 0 -> encoded0;
                    case 1 -> encoded1;
                    default -> encoded2;
                };
        if (bytes == null) {
            bytes = encoding.encode(this);
            switch (encoding.slot) {
                case 0 -> encoded0 = bytes;
                case 1 -> encoded1 = bytes;
                default -> encoded2 = bytes;
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "Event[" + topic + "#" + seq + "]";
    }
}
