package io.wirehub.hub;

import java.time.Duration;

/**
 * The hub's knobs, mapped from the configuration by the app.
 *
 * @param replayLimit most events one reconnect replays per topic before it gets a reset; also the
 *     page size of a catch-up read
 * @param reconnectRetry base SSE {@code retry:} sent on shutdown; each stream gets a jittered
 *     multiple of it, so clients of a draining instance do not all come back at once
 */
public record HubSettings(
        int sseQueueCapacity,
        int wsQueueCapacity,
        int replayLimit,
        OverflowPolicy overflowPolicy,
        Duration heartbeatInterval,
        Duration writeTimeout,
        Duration pongTimeout,
        Duration reconnectRetry) {}
