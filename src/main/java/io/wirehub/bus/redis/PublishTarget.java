package io.wirehub.bus.redis;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Where the bus PUBLISHes: one Redis (a pool, PUBLISH) or a Redis Cluster (SPUBLISH, each message
 * to the node of its channel's slot). A batch goes pipelined: one round trip per batch on one
 * Redis, one per node on a cluster. Both throw on failure; the bus keeps what failed.
 */
sealed interface PublishTarget extends AutoCloseable {
    // Publishing connections (per node on a cluster): a PUBLISH takes well under a millisecond, so
    // a few connections serve thousands of publishes a second; past that, callers wait for a
    // connection up to the timeout.
    int POOL_SIZE = 16;
    Duration POOL_WAIT = Duration.ofSeconds(2);

    /** Throws when Redis does not answer (start-up check). */
    void ping();

    void publish(byte[][] channels, byte[][] messages);

    @Override
    void close();

    static PublishTarget one(RedisAddress address, String clientName) {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(POOL_SIZE);
        config.setMaxIdle(POOL_SIZE);
        config.setMaxWait(POOL_WAIT);
        return new One(new JedisPool(config, address.hostAndPort(), address.clientConfig(clientName)));
    }

    /**
     * Learns the slots from the seeds now (throws when none answers). The slot map is shared with
     * the subscription ({@link ClusterSubscription.ClusterNodes}).
     */
    static ClusterConnectionProvider clusterSlots(
            List<HostAndPort> seeds, RedisAddress credentials, String clientName) {
        GenericObjectPoolConfig<Connection> perNode = new GenericObjectPoolConfig<>();
        perNode.setMaxTotal(POOL_SIZE);
        perNode.setMaxIdle(POOL_SIZE);
        perNode.setMaxWait(POOL_WAIT);
        return new ClusterConnectionProvider(new LinkedHashSet<>(seeds), credentials.clientConfig(clientName), perNode);
    }

    static PublishTarget cluster(ClusterConnectionProvider slots) {
        // Attempts per SPUBLISH (redirects after a slot moved, a node that failed over): the
        // client's default, within 10 s in all; a failure goes to the backlog.
        return new Cluster(new JedisCluster(slots, 5, Duration.ofSeconds(10)), slots);
    }

    record One(JedisPool pool) implements PublishTarget {
        @Override
        public void ping() {
            try (Jedis jedis = pool.getResource()) {
                jedis.ping();
            }
        }

        @Override
        public void publish(byte[][] channels, byte[][] messages) {
            try (Jedis jedis = pool.getResource()) {
                if (messages.length == 1) {
                    jedis.publish(channels[0], messages[0]);
                    return;
                }
                Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < messages.length; i++) {
                    pipeline.publish(channels[i], messages[i]);
                }
                pipeline.sync();
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    record Cluster(JedisCluster cluster, ClusterConnectionProvider slots) implements PublishTarget {
        @Override
        public void ping() {
            slots.renewSlotCache();
        }

        @Override
        public void publish(byte[][] channels, byte[][] messages) {
            if (messages.length == 1) {
                cluster.spublish(channels[0], messages[0]); // follows redirects, re-reads the slot map
                return;
            }
            try (ClusterPipeline pipeline = cluster.pipelined()) { // groups the batch by node
                for (int i = 0; i < messages.length; i++) {
                    pipeline.spublish(channels[i], messages[i]);
                }
                pipeline.sync();
            } catch (RuntimeException e) {
                // A pipeline neither follows redirects nor re-reads the slot map: after a failover
                // it would keep aiming at the dead primary. Re-read it for the next attempt.
                try {
                    slots.renewSlotCache();
                } catch (RuntimeException unreachable) {
                    e.addSuppressed(unreachable);
                }
                throw e;
            }
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
