package io.wirehub.config;

import java.time.Duration;
import java.util.List;

/** The whole configuration, parsed and validated once at start-up. Immutable. */
public record Settings(Server server, Store store, Bus bus) {

    public record Server(
            String host,
            int port,
            int maxConnections,
            int sseChannelBuffer,
            int wsChannelBuffer,
            String overflowPolicy,
            Duration heartbeatInterval,
            Duration writeTimeout,
            Duration wsPongTimeout,
            Duration reconnectRetry,
            int maxEventBytes,
            int maxBatchBytes,
            int maxBatchEvents,
            int maxTopicsPerStream,
            int socketSendBuffer,
            Duration drainTimeout) {}

    /**
     * @param memoryMaxBytes estimated heap the in-memory store's events may take; the oldest go first
     * @param memoryMaxTopics topics the in-memory store keeps an entry for, empty ones included
     * @param retention age after which events are deleted (postgres); zero keeps them
     * @param maxEventsPerTopic events kept per topic (postgres); older ones are deleted
     */
    public record Store(
            String type,
            int replayLimit,
            int memoryMaxEventsPerTopic,
            long memoryMaxBytes,
            int memoryMaxTopics,
            Duration retention,
            int maxEventsPerTopic,
            Postgres postgres) {}

    /** @param password never logged; {@link #toString()} hides it, and any password in the URL */
    public record Postgres(String url, String user, String password, String schema, int poolSize) {
        @Override
        public String toString() {
            return "Postgres[url=" + Credentials.masked(url) + ", user=" + user + ", password=" + Credentials.MASK
                    + ", schema=" + schema + ", poolSize=" + poolSize + "]";
        }
    }

    public record Bus(String type, Redis redis) {}

    /**
     * @param url may carry a password ({@code redis://user:password@host}); {@link #toString()} hides it
     * @param channel prefix of the Redis channel names, so several deployments can share a Redis
     * @param pingInterval how often the subscription is PINGed to prove it alive
     * @param pingTimeout a PING unanswered this long drops the subscription: reconnect and backfill
     * @param routing {@code channel} (every instance receives every event on one channel) or
     *     {@code interest} (an instance subscribes to the shard channels of the topics it follows)
     * @param shards how many shard channels topics are hashed onto (interest and cluster)
     * @param nodes {@code host:port} of cluster nodes to discover a Redis Cluster from (bus.type redis-cluster)
     */
    public record Redis(String url, String channel, Duration pingInterval, Duration pingTimeout, String routing, int shards,
            List<String> nodes) {

        /** One Redis, one channel: the settings before routing existed. */
        public Redis(String url, String channel, Duration pingInterval, Duration pingTimeout) {
            this(url, channel, pingInterval, pingTimeout, "channel", 64, List.of());
        }

        public boolean byInterest() {
            return routing.equals("interest");
        }

        @Override
        public String toString() {
            return "Redis[url=" + Credentials.masked(url) + ", channel=" + channel + ", pingInterval=" + pingInterval
                    + ", pingTimeout=" + pingTimeout + ", routing=" + routing + ", shards=" + shards + ", nodes=" + nodes + "]";
        }
    }
}
