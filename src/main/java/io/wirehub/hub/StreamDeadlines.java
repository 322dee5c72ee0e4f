package io.wirehub.hub;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A stream's deadlines, on the hub's clock, and the rules the ticker enforces with them: the next
 * heartbeat, the token's expiry, the open deadline of a positioned WebSocket, and the write and pong
 * deadlines of its {@link StreamWriter} (which stamps when its write began and its ping went out).
 *
 * <p>Threads: the ticker reads them all and moves the heartbeat; {@link #positioned} is written
 * once, before the stream enters {@link StreamState#POSITIONED}, so a ticker that sees that state
 * sees the deadline. Cost: three longs and a flag per stream; nothing is allocated per tick.
 */
final class StreamDeadlines {
    // A WebSocket is positioned during its upgrade and starts draining in onOpen, right after the
    // 101 is written; one whose upgrade failed in between is closed after this (it holds a queue).
    private static final long OPEN_DEADLINE = Duration.ofSeconds(2).toNanos();

    private final HubSettings settings;
    private final boolean expires;
    private final long expiresAtNanos; // meaningful when expires
    private volatile long openByNanos; // meaningful in POSITIONED
    private volatile long nextHeartbeatNanos; // the ticker's alone once the stream exists

    /** @param lifetime how long the stream may last (its token's validity), or null: no end */
    StreamDeadlines(HubSettings settings, long now, Duration lifetime) {
        this.settings = settings;
        this.expires = lifetime != null;
        this.expiresAtNanos = expires ? now + lifetime.toNanos() : 0;
        this.nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
    }

    /**
     * The stream took its position and waits for its thread: the open deadline runs from now. It
     * covers the gap between the 101 and onOpen, not the positioning, which may wait for a pooled
     * connection (a reconnect storm made WebSockets still in their upgrade miss it, and come back,
     * in a loop).
     */
    void positioned(LongSupplier nanoClock) {
        openByNanos = nanoClock.getAsLong() + Math.min(settings.writeTimeout().toNanos(), OPEN_DEADLINE);
    }

    /**
     * The deadline a stream that is not closed has missed, the first in this order, or null.
     *
     * @param awaitingOpen whether it is {@link StreamState#POSITIONED}: the open deadline applies
     */
    CloseReason missed(long now, boolean awaitingOpen, StreamWriter writer) {
        if (awaitingOpen && now - openByNanos > 0) {
            return CloseReason.CLIENT_GONE; // positioned for a WebSocket whose upgrade never completed
        }
        if (expires && now - expiresAtNanos >= 0) {
            return CloseReason.TOKEN_EXPIRED;
        }
        if (writeOverdue(now, writer)) {
            return CloseReason.WRITE_TIMEOUT;
        }
        if (writer.pongOverdue(now, settings.pongTimeout().toNanos())) {
            return CloseReason.PONG_TIMEOUT;
        }
        return null;
    }

    /** Whether the write in progress, the final one of a closed stream too, is past write_timeout. */
    boolean writeOverdue(long now, StreamWriter writer) {
        return writer.writeOverdue(now, settings.writeTimeout().toNanos());
    }

    /** Whether a heartbeat is due now; if so, the next one is due a heartbeat interval later. */
    boolean heartbeatDue(long now) {
        if (now - nextHeartbeatNanos < 0) {
            return false;
        }
        nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
        return true;
    }
}
