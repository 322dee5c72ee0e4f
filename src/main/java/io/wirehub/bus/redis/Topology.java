package io.wirehub.bus.redis;

import io.wirehub.config.Settings;
import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Where the bus runs: one Redis ({@code bus.type: redis}) or a Redis Cluster
 * ({@code bus.type: redis-cluster}). Each builds what differs between them: the publish target,
 * the subscription, which channels carry which topic ({@link Routing}), and how they are named in
 * a log line. Everything else in the bus is the same on both.
 */
sealed interface Topology {

    /** What to publish on; on a cluster, shares the slot map with the subscription. */
    PublishTarget target();

    /** The receiving side, not started. */
    BusSubscription subscription(BusSubscription.Parts parts);

    /**
     * Which channels carry a topic: one channel on one Redis, every shard channel on a cluster
     * (sharded pub/sub has no channel every node carries), or, routing by interest, the shards of
     * the topics followed here.
     */
    Routing routing(ShardChannels channels, boolean byInterest);

    /** The address(es), credentials masked, for a log line: {@code 127.0.0.1:6379}. */
    String shown();

    /** What it is and where: {@code Redis at 127.0.0.1:6379}, {@code the Redis Cluster at a:7000,b:7000}. */
    String where();

    /** The one line that says Redis cannot be reached, naming the setting to check. */
    String unreachable(Throwable cause);

    /**
     * @param clientName the connection name for a role ("pub", "sub"), shown in CLIENT LIST
     * @throws IllegalStateException when no seed node of a cluster answers
     */
    static Topology of(Settings.Redis settings, boolean cluster, Function<String, String> clientName) {
        RedisAddress address = RedisAddress.parse(settings.url());
        if (!cluster) {
            return new One(address, clientName.apply("sub"), PublishTarget.one(address, clientName.apply("pub")));
        }
        List<HostAndPort> seeds =
                settings.nodes().stream().map(HostAndPort::from).toList();
        ClusterConnectionProvider slots;
        try {
            slots = PublishTarget.clusterSlots(seeds, address, clientName.apply("pub"));
        } catch (RuntimeException e) {
            throw new IllegalStateException(ClusterSubscription.ClusterNodes.unreachable(seeds, e), e);
        }
        return new Cluster(
                new ClusterSubscription.ClusterNodes(seeds, address, clientName.apply("sub"), slots),
                PublishTarget.cluster(slots));
    }

    record One(RedisAddress address, String subscriberName, PublishTarget target) implements Topology {
        @Override
        public BusSubscription subscription(BusSubscription.Parts parts) {
            return new RedisSubscription(address, subscriberName, parts);
        }

        @Override
        public Routing routing(ShardChannels channels, boolean byInterest) {
            return byInterest
                    ? new ShardInterest(channels, ShardInterest.LINGER, System::nanoTime)
                    : new Routing.OneChannel(channels);
        }

        @Override
        public String shown() {
            return address.shown();
        }

        @Override
        public String where() {
            return "Redis at " + shown();
        }

        @Override
        public String unreachable(Throwable cause) {
            return address.unreachable(cause);
        }
    }

    record Cluster(ClusterSubscription.ClusterNodes nodes, PublishTarget target) implements Topology {
        @Override
        public BusSubscription subscription(BusSubscription.Parts parts) {
            return new ClusterSubscription(nodes, parts);
        }

        @Override
        public Routing routing(ShardChannels channels, boolean byInterest) {
            return byInterest
                    ? new ShardInterest(channels, ShardInterest.LINGER, System::nanoTime)
                    : new Routing.AllShards(channels);
        }

        @Override
        public String shown() {
            return nodes.shown();
        }

        @Override
        public String where() {
            return "the Redis Cluster at " + shown();
        }

        @Override
        public String unreachable(Throwable cause) {
            return nodes.unreachable(cause);
        }
    }
}
