package io.wirehub.metrics;

import static io.wirehub.metrics.HubMeters.counter;
import static io.wirehub.metrics.HubMeters.gauge;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wirehub.bus.EventBus;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreStats;

/**
 * What the store and the bus hold and how they fare: the PostgreSQL pool, the memory store's
 * budget, the Redis bus's traffic and failures. Read at each scrape from the stats each part
 * exposes ({@link StoreStats}, {@link io.wirehub.bus.BusStats}).
 */
final class ResourceMeters {
    private ResourceMeters() {}

    // NOTE: metric names are public (docs/metrics.md).
    static void registerStore(PrometheusRegistry registry, EventStore store) {
        switch (store.stats()) {
            case StoreStats.Pool pool -> {
                gauge(
                        registry,
                        "wirehub_store_pool_connections",
                        "PostgreSQL connections by state (active: borrowed now)",
                        "state",
                        cb -> {
                            cb.call(pool.activeConnections(), "active");
                            cb.call(pool.idleConnections(), "idle");
                        });
                gauge(
                        registry,
                        "wirehub_store_pool_waiting_threads",
                        "Threads waiting for a PostgreSQL connection now",
                        cb -> cb.call(pool.threadsAwaitingConnection()));
                gauge(
                        registry,
                        "wirehub_store_pool_max_connections",
                        "store.postgres.pool_size",
                        cb -> cb.call(pool.maxConnections()));
            }
            case StoreStats.Memory memory -> {
                gauge(
                        registry,
                        "wirehub_store_memory_bytes",
                        "Bytes of event data the memory store holds",
                        cb -> cb.call(memory.bytes()));
                gauge(
                        registry,
                        "wirehub_store_memory_topics",
                        "Topics the memory store holds",
                        cb -> cb.call(memory.topicCount()));
            }
            case StoreStats.None none -> {
                // nothing of its own to meter
            }
        }
    }

    static void registerBus(PrometheusRegistry registry, EventBus bus) {
        gauge(
                registry,
                "wirehub_bus_connected",
                "1 while the bus is connected (always 1 for the local bus)",
                cb -> cb.call(bus.isHealthy() ? 1 : 0));
        bus.stats().ifPresent(redis -> {
            counter(
                    registry,
                    "wirehub_bus_sent_events_total",
                    "Events PUBLISHed to Redis",
                    cb -> cb.call(redis.sent()));
            counter(
                    registry,
                    "wirehub_bus_received_events_total",
                    "Events received from the other instances through Redis",
                    cb -> cb.call(redis.received()));
            counter(
                    registry,
                    "wirehub_bus_publish_failures_total",
                    "PUBLISH attempts that failed (their events wait in the backlog)",
                    cb -> cb.call(redis.publishFailures()));
            counter(
                    registry,
                    "wirehub_bus_reconnects_total",
                    "Times the Redis subscription came back after a drop",
                    cb -> cb.call(redis.reconnects()));
            counter(
                    registry,
                    "wirehub_bus_subscribe_failures_total",
                    "Redis subscriptions that dropped and connects that failed",
                    cb -> cb.call(redis.subscribeFailures()));
            counter(
                    registry,
                    "wirehub_bus_malformed_messages_total",
                    "Messages on the channel that were not events",
                    cb -> cb.call(redis.malformedSkipped()));
            gauge(
                    registry,
                    "wirehub_bus_subscribed_shards",
                    "Shard channels subscribed (routing by interest; 0 with one channel)",
                    cb -> cb.call(redis.subscribedShards()));
            gauge(
                    registry,
                    "wirehub_bus_backlog_topics",
                    "Topics whose last event waits to be PUBLISHed again",
                    cb -> cb.call(redis.backlogTopics()));
        });
    }
}
