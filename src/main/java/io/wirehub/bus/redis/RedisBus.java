package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.BusStats;
import io.wirehub.bus.EventBus;
import io.wirehub.bus.TopicInterest;
import io.wirehub.config.Settings;
import io.wirehub.event.Event;
import io.wirehub.schedule.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The multi-instance bus: Redis pub/sub on one channel, {@code <bus.redis.channel>:events}, or,
 * routing by interest, on shard channels {@code <bus.redis.channel>:events:<n>} that each instance
 * subscribes to only while it has subscribers of their topics ({@link ShardInterest}), or, on a
 * Redis Cluster, sharded pub/sub on those shard channels ({@link ClusterSubscription}). The
 * {@link Topology} (one Redis or a cluster) and the {@link Routing} are chosen once, at
 * construction; nothing below asks which they are.
 *
 * <p>Publishing hands the (already stored) events to the local hub first, so local subscribers
 * never wait on Redis nor lose anything while it is down, then the {@link Outbox} PUBLISHes them.
 * Every instance receives every message of its channels; its own come back too and are skipped
 * by their origin id before decoding. Correctness never rests on the bus: hubs drop duplicates and
 * backfill seq jumps and reconnects from the store.
 *
 * <p>Cost: one subscriber thread and connection ({@link RedisSubscription}) and up to
 * {@value PublishTarget#POOL_SIZE} publishing connections per instance, whatever the number of topics; with
 * interest routing, one more virtual thread and at most {@code bus.redis.shards} channels. Its
 * periodic work (heartbeats, backlog re-sends) runs on the instance's {@link Scheduler}.
 */
public final class RedisBus implements EventBus, BusStats {
    private static final System.Logger LOG = System.getLogger(RedisBus.class.getName());
    // How long start() waits for the first subscribe: a few connect attempts.
    private static final Duration START_WAIT = Duration.ofSeconds(5);

    private final UUID instance = UUID.randomUUID();
    private final Topology topology;
    private final ShardChannels channels;
    private final Routing routing;
    private final Outbox outbox;
    private final Scheduler scheduler;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile BusSubscription subscription;

    /** One Redis ({@code bus.type: redis}). Connects nothing yet; {@link #start} does, and fails fast. */
    public RedisBus(Settings.Redis settings, Scheduler scheduler) {
        this(settings, false, scheduler);
    }

    /**
     * A Redis Cluster ({@code bus.type: redis-cluster}), found from {@code bus.redis.nodes}, with
     * credentials from {@code bus.redis.url}: sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+) on
     * the shard channels, each carried by the node that owns its slot.
     */
    public static RedisBus cluster(Settings.Redis settings, Scheduler scheduler) {
        return new RedisBus(settings, true, scheduler);
    }

    private RedisBus(Settings.Redis settings, boolean onCluster, Scheduler scheduler) {
        this.topology = Topology.of(settings, onCluster, this::clientName);
        this.channels = new ShardChannels(settings.channel(), settings.shards());
        this.routing = topology.routing(channels, settings.byInterest());
        this.outbox = new Outbox(topology.target(), routing, instance, topology.shown(), scheduler);
        this.scheduler = scheduler;
        this.pingInterval = settings.pingInterval();
        this.pingTimeout = settings.pingTimeout();
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
            topology.target().ping(); // on a cluster: a node answers CLUSTER SLOTS
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(topology.unreachable(e), e);
        }
        BusSubscription started = topology.subscription(new BusSubscription.Parts(
                channels, routing, instance, listener, outbox::redisAnswered, scheduler, pingInterval, pingTimeout));
        routing.start(started.commands());
        subscription = started;
        try {
            started.start(START_WAIT, topology);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "subscribed to " + topology.where() + routing.describe());
    }

    @Override
    public void publish(List<Event> events) {
        if (!events.isEmpty()) { // to the other instances only: this one's streams have them from the hub
            outbox.send(events);
        }
    }

    @Override
    public TopicInterest interest() {
        return routing.interest();
    }

    @Override
    public Optional<BusStats> stats() {
        return Optional.of(this);
    }

    @Override
    public boolean isHealthy() {
        BusSubscription current = subscription;
        return !closed.get() && current != null && current.isSubscribed();
    }

    /** Shard channels subscribed now (interest routing: those of followed topics; cluster without it: all; one channel: 0). */
    @Override
    public int subscribedShards() {
        return routing.subscribedShards(isHealthy());
    }

    @Override
    public long publishFailures() {
        return outbox.failures();
    }

    @Override
    public long sent() {
        return outbox.sent();
    }

    @Override
    public long received() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.received();
    }

    @Override
    public int backlogTopics() {
        return outbox.backlogTopics();
    }

    @Override
    public long reconnects() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.reconnects();
    }

    @Override
    public long subscribeFailures() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.failures();
    }

    @Override
    public long malformedSkipped() {
        BusSubscription current = subscription;
        return current == null ? 0 : current.malformedSkipped();
    }

    /** The channel every instance of this deployment publishes and subscribes to. */
    public String channel() {
        return channels.anchorName();
    }

    /**
     * Sends what still waits in the backlog (see {@link Outbox#close}), then unsubscribes and
     * disconnects.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        outbox.close();
        routing.close();
        BusSubscription current = subscription;
        if (current != null) {
            current.close();
        }
        outbox.closeTarget();
    }

    private String clientName(String role) {
        // Shows in CLIENT LIST, so an operator can tell which instance holds which connection.
        return "wirehub-" + role + "-" + instance.toString().substring(0, 8);
    }
}
