package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * <p>Rounds: {@code redis-cluster-subscriber} re-reads the slot map ({@code CLUSTER SLOTS}, through
 * Jedis's cluster connection provider, from any node it knows), opens the node connections, and waits until every channel is
 * acknowledged; after every round but the first it calls {@link BusListener#reconnected()} so the
 * hub re-reads every active topic from the store (sharded pub/sub keeps nothing either). When any
 * node connection ends (a dead node, a failover, {@code CLIENT KILL}, or Redis telling us a slot
 * moved with an unsolicited {@code sunsubscribe}), the whole round is torn down and made again on
 * a fresh slot map: simple, and a topology change is rare; the price is one backfill of every
 * topic per change.
 *
 * <p>With interest routing ({@link ShardInterest}) a round subscribes only to the wanted shards,
 * and later SSUBSCRIBE/SUNSUBSCRIBE go to the node owning each channel ({@link #commands()}); then
 * each shard's acknowledgement, not the round, has the hub re-read that shard's topics.
 *
 * <p>Liveness: Jedis's sharded pub/sub has no PING, so each node's {@link SubscriptionHeartbeat}
 * sends SSUBSCRIBE again for the node's anchor channel; Redis answers it like a PONG. Cost: two platform
 * threads per primary (reader and heartbeat) plus one, and {@code shards} subscriptions in total.
 */
final class ClusterSubscription extends BusSubscription {
    private static final System.Logger LOG = System.getLogger(ClusterSubscription.class.getName());
    private static final Duration JOIN_WAIT = Duration.ofSeconds(5);

    private final ClusterNodes nodes;
    private final ShardChannels channels;
    private final ShardInterest interest; // null: every shard
    private final BusListener listener;
    private final Runnable redisAnswered;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Thread thread;
    private volatile Round round;
    private int failedAttempts; // subscriber thread only

    /** @param interest the shards to subscribe to, from the topics followed here; null for all */
    ClusterSubscription(ClusterNodes nodes, ShardChannels channels, ShardInterest interest, UUID origin, BusListener listener,
            Runnable redisAnswered, Duration pingInterval, Duration pingTimeout) {
        super(new MessageIntake(origin, listener, redisAnswered));
        this.nodes = nodes;
        this.channels = channels;
        this.interest = interest;
        this.listener = listener;
        this.redisAnswered = redisAnswered;
        this.pingInterval = pingInterval;
        this.pingTimeout = pingTimeout;
        this.thread = Thread.ofPlatform().name("redis-cluster-subscriber").daemon(true).unstarted(this::run);
    }

    @Override
    void start(Duration wait) {
        thread.start();
        awaitFirstSubscribe(wait, nodes::unreachable, "cannot subscribe to the Redis Cluster at " + nodes.shown());
    }






    private void run() {
        while (!closed.get()) {
            Round current = null;
            try {
                nodes.slots().renewSlotCache(); // from any node it knows: a failover or a moved slot shows here
                current = new Round();
                round = current;
                current.subscribeUntilOneEnds();
            } catch (RuntimeException e) {
                failed(e);
                lost(e);
            } finally {
                subscribed = false;
                if (current != null) {
                    current.close();
                }
            }
            if (!closed.get()) {
                pauseBeforeRetry();
            }
        }
    }

    private List<byte[]> allShards() {
        List<byte[]> all = new ArrayList<>();
        for (int shard = 0; shard < channels.count(); shard++) {
            all.add(channels.channel(shard));
        }
        return all;
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
            throw new IllegalStateException("no primary serves slot " + slot + " (the cluster is failing over, or down)");
        }
        return owner;
    }

    private void lost(RuntimeException e) {
        if (closed.get()) {
            return;
        }
        if (failedAttempts++ == 0 && firstSubscribe.getCount() == 0) {
            LOG.log(System.Logger.Level.WARNING, "lost the Redis Cluster subscription at " + nodes.shown() + ": "
                    + RedisAddress.reason(e) + "; re-reading the slot map and subscribing again, events missed meanwhile are backfilled from the store");
        }
    }

    /** SSUBSCRIBE and SUNSUBSCRIBE of shard channels on the live round, each on its node, for {@link ShardInterest}. */
    ShardInterest.Commands commands() {
        return new ShardInterest.Commands() {
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

    /** A node acknowledged a shard channel: with interest routing, that shard's topics may have lost events. */
    private void shardAcknowledged(byte[] channel) {
        if (interest == null) {
            return; // the round's reconnected() covers every topic
        }
        List<String> topics = interest.acknowledged(channel);
        if (!topics.isEmpty()) {
            try {
                listener.resubscribed(topics);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "backfill after subscribing to a shard channel failed", e);
            }
        }
    }

    /** Every channel is acknowledged by its node: the round is live. Runs on the subscriber thread. */
    private void live() {
        failedAttempts = 0;
        live(interest, listener, "the Redis Cluster at " + nodes.shown());
        redisAnswered.run();
    }


    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Round current = round;
        if (current != null) {
            current.ended.countDown(); // the subscriber thread leaves the round and closes it
        }
        thread.interrupt();
        if (Thread.currentThread() == thread || thread.getState() == Thread.State.NEW) {
            return;
        }
        try {
            if (!thread.join(JOIN_WAIT)) {
                LOG.log(System.Logger.Level.WARNING, "redis-cluster-subscriber did not stop within " + JOIN_WAIT.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            List<byte[]> wanted = interest == null ? allShards() : interest.connecting();
            wanted.forEach(channel -> shardsOf.get(ownerOf.get(new String(channel, StandardCharsets.UTF_8))).add(channel));
            acknowledged = new CountDownLatch(shardsOf.size() + wanted.size());
            Map<HostAndPort, NodeSubscription> linkOf = new HashMap<>();
            shardsOf.forEach((node, initial) -> {
                NodeSubscription link = new NodeSubscription(nodes, node, anchorOn(node), initial, intake, acknowledged,
                        ClusterSubscription.this::shardAcknowledged, ended, new SubscriptionHeartbeat(pingInterval, pingTimeout));
                links.add(link);
                linkOf.put(node, link);
            });
            ownerOf.forEach((name, node) -> owners.put(name, linkOf.get(node)));
        }

        /** Sends {@code command} to each node with its own channels; false when one could not. */
        boolean byOwner(List<byte[]> shards, BiPredicate<NodeSubscription, List<byte[]>> command) {
            Map<NodeSubscription, List<byte[]>> grouped = new HashMap<>();
            for (byte[] channel : shards) {
                grouped.computeIfAbsent(owners.get(new String(channel, StandardCharsets.UTF_8)), link -> new ArrayList<>()).add(channel);
            }
            return grouped.entrySet().stream().allMatch(entry -> entry.getKey() != null && command.test(entry.getKey(), entry.getValue()));
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
    record ClusterNodes(List<HostAndPort> seeds, RedisAddress credentials, String clientName, ClusterConnectionProvider slots) {

        String shown() {
            return shown(seeds);
        }

        String unreachable(Throwable cause) {
            return unreachable(seeds, cause);
        }

        /** The one line that says no seed answers, for start-up failures. */
        static String unreachable(List<HostAndPort> seeds, Throwable cause) {
            return "cannot reach the Redis Cluster at " + shown(seeds) + " (bus.redis.nodes / WH_BUS_REDIS_NODES): " + RedisAddress.reason(cause);
        }

        private static String shown(List<HostAndPort> seeds) {
            return String.join(",", seeds.stream().map(HostAndPort::toString).toList());
        }
    }
}
