package io.wirehub.event;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Bytes a transport builds from an event, cached on the event ({@link Event#encoded}) so they are
 * built at most once however many streams send it. The event keeps them as opaque bytes: the
 * transports own the formats (SSE frames, WebSocket frames) and depend on this package, never the
 * other way round.
 *
 * <p>Each instance takes one of the event's {@value #SLOTS} cache slots for good, so make each one
 * a constant; one more than that is a programming error, refused when its class loads.
 */
public final class Encoding {
    static final int SLOTS = 3; // one field per slot on every Event: the SSE body, the WebSocket head and tail
    private static final AtomicInteger TAKEN = new AtomicInteger();

    final int slot;
    private final String name;
    private final Function<Event, byte[]> encoder;

    /** @param encoder builds the bytes; pure, since two threads may race to build them and either result is kept */
    public Encoding(String name, Function<Event, byte[]> encoder) {
        this.slot = TAKEN.getAndIncrement();
        if (slot >= SLOTS) {
            throw new IllegalStateException("the event's " + SLOTS + " encoding slots are taken; " + name
                    + " needs a field of its own on Event");
        }
        this.name = name;
        this.encoder = encoder;
    }

    byte[] encode(Event event) {
        return encoder.apply(event);
    }

    @Override
    public String toString() {
        return "Encoding[" + name + "]";
    }
}
