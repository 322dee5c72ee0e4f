package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import io.wirehub.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every subscriber thread does with a message: skip our own (by origin, before decoding),
 * decode, hand the event to the hub, count. Nothing a message contains and nothing the hub
 * throws escapes: a subscriber thread must go on. Safe from several threads (one per cluster node).
 */
final class MessageIntake {
    private static final System.Logger LOG = System.getLogger(MessageIntake.class.getName());

    private final UUID origin;
    private final BusListener listener;
    private final Runnable redisAnswered;
    private final LongAdder received = new LongAdder();
    private final LongAdder malformed = new LongAdder();

    /**
     * @param origin this instance: its own messages come back on the channel and are skipped
     * @param redisAnswered run after each message (the bus re-sends its backlog then); must not throw
     */
    MessageIntake(UUID origin, BusListener listener, Runnable redisAnswered) {
        this.origin = origin;
        this.listener = listener;
        this.redisAnswered = redisAnswered;
    }

    void accept(byte[] channel, byte[] message) {
        if (EventMessage.isFrom(message, origin)) {
            return; // our own publish: the local hub had it before it went to Redis
        }
        Event event;
        try {
            event = EventMessage.decode(message);
        } catch (EventMessage.MalformedMessageException e) {
            malformed.increment();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "skipped a malformed message (" + message.length + " bytes) on "
                            + new String(channel, StandardCharsets.UTF_8) + ": " + e.getMessage() + "; "
                            + malformed.sum() + " so far");
            return;
        }
        received.increment();
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the hub failed on " + event + " from Redis", e);
        }
        redisAnswered.run();
    }

    /** Events received from the other instances (our own messages aside). */
    long received() {
        return received.sum();
    }

    long malformedSkipped() {
        return malformed.sum();
    }
}
