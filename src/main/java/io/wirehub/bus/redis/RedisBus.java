package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.EventBus;
import io.wirehub.bus.TopicInterest;
import io.wirehub.config.Settings;
import io.wirehub.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The multi-instance bus: Redis pub/sub on one channel, {@code <bus.redis.channel>:events}, or,
 * routing by interest, on shard channels {@code <bus.redis.channel>:events:<n>} that each instance
 * subscribes to only while it has subscribers of their topics ({@link ShardInterest}), or, on a
 * Redis Cluster, sharded pub/sub on those shard channels ({@link ClusterSubscription}).
 *
 * <p>Publishing hands the (already stored) events to the local hub first, so local subscribers
 * never wait on Redis nor lose anything while it is down, then PUBLISHes them, pipelined, from a
 * pooled connection. Every instance receives every message; its own come back too and are
 * skipped by their origin id before decoding. A failed PUBLISH never throws: it is counted, logged
 * once per outage, and the newest event of each topic waits in a {@link TailBacklog} to be sent
 * again once Redis answers. Correctness never rests on the bus: hubs drop duplicates and backfill
 * seq jumps and reconnects from the store.
 *
 * <p>Cost: one subscriber thread and connection ({@link RedisSubscription}) and up to
 * {@value PublishTarget#POOL_SIZE} publishing connections per instance, whatever the number of topics; with
 * interest routing, one more virtual thread and at most {@code bus.redis.shards} channels.
 */
public final class RedisBus implements EventBus {
    private static final System.Logger LOG = System.getLogger(RedisBus.class.getName());
    // How long start() waits for the first subscribe: a few connect attempts.
    private static final Duration START_WAIT = Duration.ofSeconds(5);
    // While PUBLISH fails, publishes try Redis at most this often and otherwise go straight to the
    // backlog, so a black-holed Redis does not add a connect timeout to every publish request.
    private static final long PROBE_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    // Topics whose last event the backlog keeps during an outage: memory stays bounded (at most
    // this many events), and a forgotten topic still recovers elsewhere with its next event.
    private static final int BACKLOG_TOPICS = 1000;

    private final RedisAddress address;
    private final String channel;
    private final ShardChannels channels;
    private final ShardInterest interest; // null: channel routing
    private final UUID instance = UUID.randomUUID();
    private final ClusterSubscription.ClusterNodes clusterNodes; // a Redis Cluster; null on one Redis
    private final PublishTarget target;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final TailBacklog backlog = new TailBacklog(BACKLOG_TOPICS);
    private final AtomicBoolean outage = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder publishFailures = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private volatile long lastAttemptNanos;
    private volatile Thread retry; // the one pending re-send of the backlog, if any
    private volatile BusSubscription subscription;

    /** One Redis ({@code bus.type: redis}). Connects nothing yet; {@link #start} does, and fails fast. */
    public RedisBus(Settings.Redis settings) {
        this(settings, false);
    }

    /**
     * A Redis Cluster ({@code bus.type: redis-cluster}), found from {@code bus.redis.nodes}, with
     * credentials from {@code bus.redis.url}: sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+) on
     * the shard channels, each carried by the node that owns its slot.
     */
    public static RedisBus cluster(Settings.Redis settings) {
        return new RedisBus(settings, true);
    }

    private RedisBus(Settings.Redis settings, boolean onCluster) {
        this.address = RedisAddress.parse(settings.url());
        this.channels = new ShardChannels(settings.channel(), settings.shards());
        this.channel = channels.anchorName();
        this.interest = settings.byInterest() ? new ShardInterest(channels, ShardInterest.LINGER, System::nanoTime) : null;
        this.pingInterval = settings.pingInterval();
        this.pingTimeout = settings.pingTimeout();
        if (onCluster) {
            List<HostAndPort> seeds = settings.nodes().stream().map(HostAndPort::from).toList();
            ClusterConnectionProvider slots;
            try {
                slots = PublishTarget.clusterSlots(seeds, address, clientName("pub"));
            } catch (RuntimeException e) {
                throw new IllegalStateException(ClusterSubscription.ClusterNodes.unreachable(seeds, e), e);
            }
            this.clusterNodes = new ClusterSubscription.ClusterNodes(seeds, address, clientName("sub"), slots);
            this.target = PublishTarget.cluster(slots);
        } else {
            this.clusterNodes = null;
            this.target = PublishTarget.one(address, clientName("pub"));
        }
    }

    /**
     * Checks that Redis answers, then subscribes; returns once subscribed.
     *
     * @throws IllegalStateException one line naming the URL (credentials masked), the setting and
     *     the reason, e.g. {@code cannot reach Redis at redis://127.0.0.1:6390 (bus.redis.url /
     *     WH_BUS_REDIS_URL): connection refused}; the bus is closed then
     */
    @Override
    public void start(BusListener listener) {
        try {
            answers();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(clusterNodes != null ? clusterNodes.unreachable(e) : address.unreachable(e), e);
        }
        BusSubscription started;
        if (clusterNodes != null) {
            ClusterSubscription cluster = new ClusterSubscription(clusterNodes, channels, interest, instance, listener, this::redisAnswered,
                    pingInterval, pingTimeout);
            if (interest != null) {
                interest.start(cluster.commands());
            }
            started = cluster;
        } else {
            RedisSubscription one = new RedisSubscription(address, clientName("sub"), channels, interest, instance, listener,
                    this::redisAnswered, pingInterval, pingTimeout);
            if (interest != null) {
                interest.start(one.commands());
            }
            started = one;
        }
        subscription = started;
        try {
            started.start(START_WAIT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, clusterNodes != null
                ? "subscribed to the Redis Cluster at " + clusterNodes.shown() + ", " + channels.count() + " shard channels " + channel + ":<n>"
                        + (interest == null ? "" : ", routing by interest")
                : "subscribed to Redis at " + address.shown() + ", channel " + channel
                        + (interest == null ? "" : ", routing by interest over " + channels.count() + " shard channels " + channel + ":<n>"));
    }

    private void answers() {
        target.ping(); // on a cluster: a node answers CLUSTER SLOTS
    }

    @Override
    public void publish(List<Event> events) {
        if (!events.isEmpty()) { // to the other instances only: this one's streams have them from the hub
            send(events);
        }
    }

    @Override
    public TopicInterest interest() {
        return interest == null ? TopicInterest.NONE : interest;
    }

    /** Shard channels subscribed now (interest routing: those of followed topics; cluster without it: all; one channel: 0). */
    public int subscribedShards() {
        if (interest != null) {
            return interest.subscribedShards();
        }
        return clusterNodes != null && isHealthy() ? channels.count() : 0;
    }

    @Override
    public boolean isHealthy() {
        BusSubscription current = subscription;
        return !closed.get() && current != null && current.isSubscribed();
    }

    /** PUBLISH attempts that failed (each kept its events in the backlog). */
    public long publishFailures() {
        return publishFailures.sum();
    }

    /** Events PUBLISHed to Redis (a re-sent backlog event counts again). */
    public long sent() {
        return sent.sum();
    }

    /** Events received from the other instances. */
    public long received() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.received();
    }

    /** Topics whose last event waits to be PUBLISHed again (0 while Redis answers). */
    public int backlogTopics() {
        return backlog.size();
    }

    /** Times the subscription came back after a drop. */
    public long reconnects() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.reconnects();
    }

    /** Subscriptions that dropped plus connects that failed since. */
    public long subscribeFailures() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.failures();
    }

    /** Messages on the channel that were not events and were skipped. */
    public long malformedSkipped() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.malformedSkipped();
    }

    /** The channel every instance of this deployment publishes and subscribes to. */
    public String channel() {
        return channel;
    }

    /**
     * Sends what still waits in the backlog (one try, bounded by the Redis timeouts), then
     * disconnects: the last events of a topic whose PUBLISH failed just before a shutdown still
     * reach the other instances, which would otherwise see them only with the topic's next event.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        Thread pending = retry;
        if (pending != null) {
            pending.interrupt();
        }
        flushBacklog();
        if (interest != null) {
            interest.close();
        }
        BusSubscription current = subscription;
        if (current != null) {
            current.close();
        }
        target.close();
    }

    private void flushBacklog() {
        List<Event> left = backlog.takeAll();
        if (left.isEmpty()) {
            return;
        }
        try {
            publishRetryingStale(left, !outage.get());
        } catch (RuntimeException e) {
            publishFailures.increment();
            LOG.log(System.Logger.Level.WARNING, "closing without announcing the last events of " + left.size()
                    + " topic(s) on Redis at " + shown() + ": " + RedisAddress.reason(e)
                    + "; other instances read them from the store with each topic's next event or their next reconnect");
        }
    }

    /**
     * The subscriber just heard from Redis: a moment to re-send what failed, even if no publish
     * comes. Runs on the subscriber thread, so it keeps to the probe interval too.
     */
    private void redisAnswered() {
        if (!backlog.isEmpty()) {
            send(List.of());
        }
    }

    /** PUBLISHes the backlog, then {@code events}; what fails goes (back) to the backlog. Never throws. */
    private void send(List<Event> events) {
        if (closed.get()) {
            return;
        }
        List<Event> batch = withBacklog(events);
        if (batch.isEmpty()) {
            return;
        }
        boolean down = outage.get();
        if (down && System.nanoTime() - lastAttemptNanos < PROBE_INTERVAL_NANOS) {
            keepForLater(batch);
            return;
        }
        lastAttemptNanos = System.nanoTime();
        try {
            publishRetryingStale(batch, !down);
            sent.add(batch.size());
        } catch (RuntimeException e) {
            publishFailures.increment();
            keepForLater(batch);
            if (outage.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "cannot publish to Redis at " + shown() + ": " + RedisAddress.reason(e)
                        + "; events are stored and reach local subscribers, other instances catch up from the store");
            }
            return;
        }
        if (outage.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "publishing to Redis at " + shown() + " again");
        }
    }

    /**
     * Keeps the batch in the backlog and makes sure it is re-sent after the probe interval even
     * if nothing else happens: otherwise a quiet topic's last events would reach the other
     * instances only with its next publish.
     */
    private void keepForLater(List<Event> batch) {
        backlog.keep(batch);
        synchronized (backlog) {
            if (retry != null || closed.get()) {
                return;
            }
            retry = Thread.ofVirtual().name("redis-backlog").start(() -> {
                try {
                    Thread.sleep(Duration.ofNanos(PROBE_INTERVAL_NANOS));
                } catch (InterruptedException e) {
                    return; // closing
                } finally {
                    synchronized (backlog) {
                        retry = null;
                    }
                }
                send(List.of());
            });
        }
    }

    private List<Event> withBacklog(List<Event> events) {
        List<Event> pending = backlog.takeAll();
        if (pending.isEmpty()) {
            return events;
        }
        List<Event> all = new ArrayList<>(pending.size() + events.size());
        all.addAll(pending);
        all.addAll(events);
        return all;
    }

    private void publishRetryingStale(List<Event> batch, boolean retry) {
        byte[][] messages = new byte[batch.size()][];
        byte[][] targets = new byte[batch.size()][];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = EventMessage.encode(instance, batch.get(i));
            targets[i] = interest == null && clusterNodes == null ? channels.anchor() : channels.channelOf(batch.get(i).topic());
        }
        try {
            target.publish(targets, messages);
        } catch (JedisConnectionException e) {
            if (!retry) {
                throw e;
            }
            // A pooled connection can die while idle (Redis restart, idle timeout, CLIENT KILL);
            // the pool has dropped it, so one more try gets a fresh one.
            target.publish(targets, messages);
        }
    }

    private String shown() {
        return clusterNodes != null ? clusterNodes.shown() : address.shown();
    }

    private String clientName(String role) {
        // Shows in CLIENT LIST, so an operator can tell which instance holds which connection.
        return "wirehub-" + role + "-" + instance.toString().substring(0, 8);
    }
}
