package io.wirehub.bus.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Sharded pub/sub on a Redis Cluster: every shard channel {@code <channel>:events:<n>} (or, routing
 * by interest, every wanted one) is SSUBSCRIBEd on the primary that owns its slot, one connection and one thread
 * ({@code redis-shard-<host>:<port>}) per primary, so each event crosses the cluster once, to
 * the node of its channel, instead of being broadcast to every node.
 *
 * <p>Each attempt of the loop ({@link BusSubscription}, thread {@code redis-cluster-subscriber}) is a
 * round: re-read the slot map ({@code CLUSTER SLOTS}, through Jedis's cluster connection provider,
 * from any node it knows), open the node connections, and wait until every channel is
 * acknowledged; after every round but the first the hub re-reads every active topic from the store
 * (sharded pub/sub keeps nothing either). When any node connection ends (a dead node, a failover,
 * {@code CLIENT KILL}, or Redis telling us a slot moved with an unsolicited {@code sunsubscribe}),
 * the whole round is torn down and made again on a fresh slot map: simple, and a topology change is
 * rare; the price is one backfill of every topic per change.
 *
 * <p>With interest routing ({@link ShardInterest}) a round subscribes only to the wanted shards,
 * and later SSUBSCRIBE/SUNSUBSCRIBE go to the node owning each channel ({@link #commands()}); then
 * each shard's acknowledgement, not the round, has the hub re-read that shard's topics.
 *
 * <p>Liveness: Jedis's sharded pub/sub has no PING, so each node's {@link SubscriptionHeartbeat}
 * sends SSUBSCRIBE again for the node's anchor channel; Redis answers it like a PONG. Cost: one
 * platform thread per primary plus one, and {@code shards} subscriptions in total.
 */
final class ClusterSubscription extends BusSubscription {
    private final ClusterNodes nodes;
    private final ShardChannels channels;
    private volatile Round round;

    ClusterSubscription(ClusterNodes nodes, Parts parts) {
        super(parts, "redis-cluster-subscriber", "the Redis Cluster at " + nodes.shown());
        this.nodes = nodes;
        this.channels = parts.channels();
    }

    @Override
    void subscribeUntilDropped() {
        nodes.slots().renewSlotCache(); // from any node it knows: a failover or a moved slot shows here
        try (Round current = new Round()) {
            round = current;
            current.subscribeUntilOneEnds();
        }
    }

    @Override
    void endAttempt() {
        Round current = round;
        if (current != null) {
            current.ended.countDown(); // the subscriber thread leaves the round and closes it
        }
    }

    /** SSUBSCRIBE and SUNSUBSCRIBE of shard channels on the live round, each on its node. */
    @Override
    Routing.Commands commands() {
        return new Routing.Commands() {
            @Override
            public boolean subscribe(List<byte[]> shards) {
                Round current = round;
                return current != null && current.byOwner(shards, NodeSubscription::subscribe);
            }

            @Override
            public boolean unsubscribe(List<byte[]> shards) {
                Round current = round;
                return current != null && current.byOwner(shards, NodeSubscription::unsubscribe);
            }
        };
    }

    /** A channel nobody publishes to whose slot {@code node} owns: {@code <prefix>:events:anchor:<n>}, the first n that fits. */
    private byte[] anchorOn(HostAndPort node) {
        for (int n = 0; n < 1_000_000; n++) {
            byte[] candidate = (channels.anchorName() + ":anchor:" + n).getBytes(StandardCharsets.UTF_8);
            if (primaryOf(candidate).equals(node)) {
                return candidate;
            }
        }
        throw new IllegalStateException(node + " owns too few slots to find an anchor channel");
    }

    /** The primary that owns the channel's slot, by the slot map last read. */
    private HostAndPort primaryOf(byte[] channel) {
        int slot = JedisClusterCRC16.getSlot(channel);
        HostAndPort owner = nodes.slots().getNode(slot);
        if (owner == null) {
            throw new IllegalStateException(
                    "no primary serves slot " + slot + " (the cluster is failing over, or down)");
        }
        return owner;
    }

    /** One connection per primary, all made on one slot map; over as soon as one of them ends. */
    private final class Round implements AutoCloseable {
        final CountDownLatch ended = new CountDownLatch(1);
        final CountDownLatch acknowledged;
        final List<NodeSubscription> links = new ArrayList<>();
        final Map<String, NodeSubscription> owners = new HashMap<>(); // shard channel name -> its node's link

        Round() {
            Map<HostAndPort, List<byte[]>> shardsOf = new LinkedHashMap<>();
            Map<String, HostAndPort> ownerOf = new HashMap<>();
            for (int shard = 0; shard < channels.count(); shard++) {
                byte[] channel = channels.channel(shard);
                HostAndPort owner = primaryOf(channel);
                shardsOf.computeIfAbsent(owner, node -> new ArrayList<>());
                ownerOf.put(new String(channel, StandardCharsets.UTF_8), owner);
            }
            List<byte[]> wanted = routing.connecting();
            wanted.forEach(channel -> shardsOf.get(ownerOf.get(new String(channel, StandardCharsets.UTF_8)))
                    .add(channel));
            acknowledged = new CountDownLatch(shardsOf.size() + wanted.size());
            Map<HostAndPort, NodeSubscription> linkOf = new HashMap<>();
            shardsOf.forEach((node, initial) -> {
                NodeSubscription link = new NodeSubscription(
                        nodes,
                        node,
                        anchorOn(node),
                        initial,
                        intake,
                        acknowledged,
                        ClusterSubscription.this::shardAcknowledged,
                        ended,
                        parts.heartbeat());
                links.add(link);
                linkOf.put(node, link);
            });
            ownerOf.forEach((name, node) -> owners.put(name, linkOf.get(node)));
        }

        /** Sends {@code command} to each node with its own channels; false when one could not. */
        boolean byOwner(List<byte[]> shards, BiPredicate<NodeSubscription, List<byte[]>> command) {
            Map<NodeSubscription, List<byte[]>> grouped = new HashMap<>();
            for (byte[] channel : shards) {
                grouped.computeIfAbsent(
                                owners.get(new String(channel, StandardCharsets.UTF_8)), link -> new ArrayList<>())
                        .add(channel);
            }
            return grouped.entrySet().stream()
                    .allMatch(entry -> entry.getKey() != null && command.test(entry.getKey(), entry.getValue()));
        }

        void subscribeUntilOneEnds() {
            links.forEach(NodeSubscription::start);
            try {
                while (!acknowledged.await(50, TimeUnit.MILLISECONDS)) {
                    if (ended.getCount() == 0 || closed.get()) {
                        throw failureOrClosed();
                    }
                }
                live();
                ended.await(); // close() counts it down and interrupts us too
            } catch (InterruptedException e) {
                if (!closed.get()) {
                    throw new IllegalStateException("interrupted");
                }
                return;
            }
            if (!closed.get()) {
                throw failureOrClosed();
            }
        }

        private RuntimeException failureOrClosed() {
            for (NodeSubscription link : links) {
                if (link.failure != null) {
                    return link.failure;
                }
            }
            return new IllegalStateException("a node's subscription ended");
        }

        @Override
        public void close() {
            links.forEach(NodeSubscription::close);
        }
    }

    /**
     * The seed nodes, how to log in, and the slot map: Jedis's, shared with publishing; it learns
     * the other nodes from the seeds and re-reads the map ({@code CLUSTER SLOTS}) from any node
     * it knows.
     */
    record ClusterNodes(
            List<HostAndPort> seeds, RedisAddress credentials, String clientName, ClusterConnectionProvider slots) {

        String shown() {
            return shown(seeds);
        }

        String unreachable(Throwable cause) {
            return unreachable(seeds, cause);
        }

        /** The one line that says no seed answers, for start-up failures. */
        static String unreachable(List<HostAndPort> seeds, Throwable cause) {
            return "cannot reach the Redis Cluster at " + shown(seeds) + " (bus.redis.nodes / WH_BUS_REDIS_NODES): "
                    + RedisAddress.reason(cause);
        }

        private static String shown(List<HostAndPort> seeds) {
            return String.join(",", seeds.stream().map(HostAndPort::toString).toList());
        }
    }
}
