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

    /** Connects to a seed now to learn the slots; throws when none answers. */
    static PublishTarget cluster(List<HostAndPort> seeds, RedisAddress credentials, String clientName) {
        GenericObjectPoolConfig<Connection> perNode = new GenericObjectPoolConfig<>();
        perNode.setMaxTotal(POOL_SIZE);
        perNode.setMaxIdle(POOL_SIZE);
        perNode.setMaxWait(POOL_WAIT);
        // Attempts per SPUBLISH (redirects after a slot moved, a node that failed over): the
        // client's default; each takes at most the 2 s timeout.
        int attempts = 5;
        return new Cluster(new JedisCluster(new LinkedHashSet<>(seeds), credentials.clientConfig(clientName), attempts, perNode));
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

    record Cluster(JedisCluster cluster) implements PublishTarget {
        @Override
        public void ping() {
            cluster.getClusterNodes(); // the slot map was read when it was made; nothing more to prove here
        }

        @Override
        public void publish(byte[][] channels, byte[][] messages) {
            if (messages.length == 1) {
                cluster.spublish(channels[0], messages[0]);
                return;
            }
            try (ClusterPipeline pipeline = cluster.pipelined()) { // groups the batch by node
                for (int i = 0; i < messages.length; i++) {
                    pipeline.spublish(channels[i], messages[i]);
                }
                pipeline.sync();
            }
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
