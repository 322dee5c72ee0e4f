package io.wirehub.bus;

/**
 * How a bus that crosses the network fares, read by the meters at each scrape. The local bus has
 * none: it cannot fail.
 */
public interface BusStats {
    /** Events sent to the other instances (an event sent again counts again). */
    long sent();

    /** Events received from the other instances. */
    long received();

    /** Send attempts that failed (their events wait to be sent again). */
    long publishFailures();

    /** Times the subscription came back after a drop. */
    long reconnects();

    /** Subscriptions that dropped plus connects that failed since. */
    long subscribeFailures();

    /** Messages that were not events and were skipped. */
    long malformedSkipped();

    /** Shard channels subscribed now (0 on one channel). */
    int subscribedShards();

    /** Topics whose last event waits to be sent again. */
    int backlogTopics();
}
