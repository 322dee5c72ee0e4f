package io.wirehub.store;

/**
 * What a store tells the meters about its resources, read at each scrape: one kind per kind of
 * store, so the meters ask the store what it has instead of what class it is.
 */
public sealed interface StoreStats {

    /** Nothing to meter (a store without resources of its own, e.g. a test's). */
    StoreStats NONE = new None();

    record None() implements StoreStats {}

    /** A store on a connection pool (PostgreSQL). */
    non-sealed interface Pool extends StoreStats {
        int activeConnections();

        int idleConnections();

        int threadsAwaitingConnection();

        int maxConnections();
    }

    /** A store that holds the events in memory. */
    non-sealed interface Memory extends StoreStats {
        /** Bytes of event data held. */
        long bytes();

        int topicCount();
    }
}
