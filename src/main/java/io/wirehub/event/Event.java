package io.wirehub.event;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One stored event: its topic, its seq in that topic, an optional SSE event type, and its data.
 *
 * <p>Immutable and shared: the hub hands the same instance to every subscriber, so the SSE frame
 * body and the WebSocket payload are encoded at most once per instance (lazily, cached; two
 * threads racing compute equal values, so no lock is needed). A queue slot holds this reference,
 * not a copy.
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

    private volatile byte[] sseBody;
    private volatile byte[] wsHead;
    private volatile byte[] wsTail;

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

    /** The SSE frame without its {@code id:} line: {@code event:} and {@code data:} lines, then the blank line. */
    public byte[] sseBody() {
        byte[] body = sseBody;
        if (body == null) {
            body = SseFrames.body(type, data).getBytes(StandardCharsets.UTF_8);
            sseBody = body;
        }
        return body;
    }

    /** The WebSocket JSON payload up to its {@code "id"} value, UTF-8: {@code {"topic":"a","seq":17,"id":}. */
    public byte[] wsHead() {
        byte[] head = wsHead;
        if (head == null) {
            head = WsFrames.head(this);
            wsHead = head;
        }
        return head;
    }

    /** The WebSocket JSON payload after its {@code "id"} value, UTF-8: {@code ,"event":..,"data":..}}. */
    public byte[] wsTail() {
        byte[] tail = wsTail;
        if (tail == null) {
            tail = WsFrames.tail(this);
            wsTail = tail;
        }
        return tail;
    }

    @Override
    public String toString() {
        return "Event[" + topic + "#" + seq + "]";
    }
}
