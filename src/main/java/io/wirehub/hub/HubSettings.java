package io.wirehub.hub;

import java.time.Duration;

/**
 * The hub's knobs, mapped from the configuration by the app.
 *
 * @param replayLimit most events one reconnect replays per topic before it gets a reset; also the
 *     page size of a catch-up read
 * @param reconnectRetry base SSE {@code retry:} sent on shutdown; each stream gets a jittered
 *     multiple of it, so clients of a draining instance do not all come back at once
 * @param maxPendingDeliveries the most fan-out work (deliveries accepted, not yet taken by the
 *     streams) before publishers wait ({@link FanOutWork})
 * @param maxLag how long a stream may stay behind (overflowed and not caught up) before it is
 *     moved to the present with a {@code lag_limit} reset
 */
public record HubSettings(
        int sseQueueCapacity,
        int wsQueueCapacity,
        int replayLimit,
        OverflowPolicy overflowPolicy,
        Duration heartbeatInterval,
        Duration writeTimeout,
        Duration pongTimeout,
        Duration reconnectRetry,
        long maxPendingDeliveries,
        Duration maxLag) {

    // NOTE: the defaults of publish.max_pending_deliveries and server.max_lag (ConfigKey), for
    // hubs built without a configuration (tests, benchmarks).
    static final long DEFAULT_MAX_PENDING_DELIVERIES = 100_000;
    static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(5);

    public HubSettings(
            int sseQueueCapacity,
            int wsQueueCapacity,
            int replayLimit,
            OverflowPolicy overflowPolicy,
            Duration heartbeatInterval,
            Duration writeTimeout,
            Duration pongTimeout,
            Duration reconnectRetry) {
        this(
                sseQueueCapacity,
                wsQueueCapacity,
                replayLimit,
                overflowPolicy,
                heartbeatInterval,
                writeTimeout,
                pongTimeout,
                reconnectRetry,
                DEFAULT_MAX_PENDING_DELIVERIES,
                DEFAULT_MAX_LAG);
    }
}
