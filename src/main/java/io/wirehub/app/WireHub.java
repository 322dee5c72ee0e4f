package io.wirehub.app;

import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionProvider;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.wirehub.auth.Access;
import io.wirehub.bus.EventBus;
import io.wirehub.bus.TopicInterest;
import io.wirehub.bus.local.LocalBus;
import io.wirehub.bus.redis.RedisBus;
import io.wirehub.config.ConfigKey;
import io.wirehub.config.Settings;
import io.wirehub.http.ClientScriptService;
import io.wirehub.http.ConnectionLimit;
import io.wirehub.http.ConnectionWatch;
import io.wirehub.http.Cors;
import io.wirehub.http.Drain;
import io.wirehub.http.ErrorResponses;
import io.wirehub.http.Guard;
import io.wirehub.http.HealthService;
import io.wirehub.http.MalformedRequests;
import io.wirehub.http.PublishGate;
import io.wirehub.http.PublishService;
import io.wirehub.http.RequestHeadLimits;
import io.wirehub.http.StreamQuota;
import io.wirehub.http.TopicService;
import io.wirehub.http.admin.AdminService;
import io.wirehub.http.admin.DashboardService;
import io.wirehub.http.admin.MetricsService;
import io.wirehub.http.admin.StatsService;
import io.wirehub.http.admin.StatsStreamService;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubSettings;
import io.wirehub.hub.OverflowPolicy;
import io.wirehub.hub.Ticker;
import io.wirehub.hub.Transport;
import io.wirehub.metrics.Metrics;
import io.wirehub.publish.IdempotentPublisher;
import io.wirehub.publish.Publisher;
import io.wirehub.schedule.Scheduler;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.store.memory.MemoryIdempotencyKeys;
import io.wirehub.store.postgres.PostgresEventStore;
import io.wirehub.transport.sse.SseService;
import io.wirehub.transport.ws.DirectWsUpgrader;
import io.wirehub.transport.ws.WsEndpoint;
import io.wirehub.transport.ws.WsRequestRoute;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One running wirehub instance: the parts wired together and the web server serving them.
 * {@link Main} starts one from the command line; tests start as many as they need, wired exactly
 * as in production.
 */
public final class WireHub implements AutoCloseable {
    private static final String MANAGEMENT = "management"; // the listener of server.management_port
    private static final String H2C_UPGRADE = "h2c"; // the Upgrade header value of HTTP/2 over cleartext
    private static final String WS_PROTOCOL = "websocket"; // the Upgrade header value Helidon keys its upgrader by
    private static final System.Logger LOG = System.getLogger(WireHub.class.getName());

    // NOTE: the paths clients, proxies, load balancers and dashboards use (README's API table).
    // Those written more than once in routing(...) and its filters; the rest are written there.
    private static final String SSE = "/v1/sse";
    private static final String WS = "/v1/ws"; // the upgrade (WsRouting) and the plain request that was not one
    private static final String STATS = "/v1/stats";
    private static final String ADMIN = "/v1/admin";
    private static final String DASHBOARD = "/dashboard";
    private static final String METRICS = "/metrics";
    private static final String HEALTH = "/health";

    // Helidon gives every streaming response a buffer of this many bytes for its whole life (4 KB
    // by default: 40 MB for 10,000 idle SSE streams). SseSink gathers each batch itself and writes
    // it at once, and the stats stream writes whole frames, so a tiny one loses nothing.
    private static final int RESPONSE_BUFFER_BYTES = 64;

    // About 200 bytes each: at most ~20 MB of keys on the embedded default.
    private static final int MEMORY_IDEMPOTENCY_KEYS = 100_000;
    // A fifth of them per publisher (token subject): one publisher cannot fill the map, at least
    // five must. Past it that publisher's new keys are refused (429), never another's forgotten.
    private static final int MEMORY_IDEMPOTENCY_KEYS_PER_SCOPE = MEMORY_IDEMPOTENCY_KEYS / 5;

    private final Settings settings;
    private final Scheduler scheduler = new Scheduler(); // every part's periodic work; closed last
    private final StoreParts storeParts;
    private final EventStore store;
    private final EventBus bus;
    private final Hub hub;
    private final Publisher publisher;
    private final Ticker ticker;
    private final WebServer server;
    private final Drain drain = new Drain();
    private final AtomicBoolean closed = new AtomicBoolean(); // close() runs once
    private final Metrics metrics = new Metrics();
    private final EventStore meteredStore; // the store as the hub, publishers and routes use it
    private final Access access;
    private final Guard guard;
    private final Cors cors;
    private ConnectionLimit connections; // set with the server, which it guards
    private ConnectionWatch watch; // set with the server: the public listener's connections
    private volatile TlsReload tlsReload; // set once the server listens with TLS
    private StreamQuota quota; // set with the server
    private HealthService health; // set with the server: on the public or the management listener
    private PublishGate
            publishGate; // set with the server: POST publishes and WebSocket publish ops share it (and its rate limit)

    private WireHub(Settings settings) {
        this.settings = settings;
        try {
            this.access =
                    Access.create(settings.auth(), scheduler); // first: a key file that cannot be read stops the start
        } catch (RuntimeException e) {
            scheduler.close();
            throw e;
        }
        this.guard = new Guard(access);
        if (!settings.auth().jwt()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "auth.mode is none: anyone who reaches this port can read and publish every"
                            + " topic and read the stats. Fine for a demo on your own machine; anywhere else set auth.mode: jwt"
                            + " (docs/security.md)");
        }
        if (settings.server().hasManagementPort()
                && List.of("0.0.0.0", "::", "[::]").contains(settings.server().managementBindHost())) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the management port (" + ConfigKey.MANAGEMENT_PORT.key() + ") serves /metrics without a"
                            + " token on every interface; bind it to a private one with "
                            + ConfigKey.MANAGEMENT_HOST.key() + " ("
                            + ConfigKey.MANAGEMENT_HOST.env() + ")");
        }
        this.cors = new Cors(
                settings.auth().corsAllowedOrigins(),
                !settings.auth().cookieName().isEmpty());
        try {
            this.storeParts = createStore(settings, scheduler);
            this.store = storeParts.store();
        } catch (RuntimeException e) {
            access.close(); // it may watch a key file
            scheduler.close();
            throw e;
        }
        this.meteredStore = metrics.metered(store);
        EventBus createdBus = null;
        try {
            createdBus = createBus(settings, scheduler);
            this.bus = createdBus;
            this.hub = new Hub(meteredStore, hubSettings(settings), System::nanoTime);
            this.publisher =
                    new Publisher(meteredStore, bus, hub, settings.publish().overloadWait());
            hub.reportInterestTo(bus.interest().and(storeParts.interest()));
            metrics.register(hub, bus);
            metrics.registerBuildInfo(BuildVersion.current());
            this.server = buildServer();
            bus.start(hub);
            this.ticker = new Ticker(hub, System::nanoTime, Ticker.periodFor(hub.settings())).start(scheduler);
        } catch (RuntimeException e) {
            if (createdBus != null) {
                createdBus.close(); // a started bus holds a thread and connections
            }
            store.close();
            access.close();
            scheduler.close();
            throw e;
        }
    }

    /** Builds and starts an instance; returns once it listens, else throws with the reason in one line. */
    public static WireHub start(Settings settings) {
        WireHub wireHub = new WireHub(settings);
        BindFailure bindFailure = BindFailure.watch();
        boolean running = false;
        try {
            wireHub.server.start();
            running = wireHub.server.isRunning();
        } catch (RuntimeException e) {
            wireHub.releaseParts(); // leave no thread or connection behind
            throw e;
        } finally {
            bindFailure.release(running);
        }
        if (!running) { // e.g. the port is taken: Helidon logged it and returned
            wireHub.releaseParts();
            throw new IllegalStateException(bindFailure.describe(settings));
        }
        Settings.Tls tls = settings.server().tls();
        if (tls.enabled()) {
            wireHub.tlsReload = new TlsReload(tls, wireHub.server::reloadTls, wireHub.scheduler);
        }
        return wireHub;
    }

    public int port() {
        return server.port();
    }

    /** The management listener's port (/metrics, /health), or -1 without one. */
    public int managementPort() {
        return settings.server().hasManagementPort() ? server.port(MANAGEMENT) : -1;
    }

    public Hub hub() {
        return hub;
    }

    public Settings settings() {
        return settings;
    }

    /** The event store this instance uses (tests check its resources, e.g. pooled connections). */
    public EventStore store() {
        return store;
    }

    /**
     * The first step of a SIGTERM with {@code server.shutdown_delay}: from now on {@code /health}
     * answers 503, so the load balancer stops sending new clients; publishes and new streams are
     * still served, for the clients that arrive before it has noticed. {@link #close()} follows.
     */
    public void announceShutdown() {
        drain.announce();
    }

    /**
     * Drains, then stops, in the order that loses nothing: refuse new streams and publishes (503);
     * wait for the publishes in flight; close the store's writer (what is queued commits, nothing
     * more), then the bus (so every committed event has been PUBLISHed to the other instances);
     * then end every stream (SSE with a jittered {@code retry:}, WebSocket with 1001) so clients
     * reconnect elsewhere with their cursor; then stop the server. The waits share one deadline,
     * {@code server.drain_timeout}.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return; // the SIGTERM drain ran, and the JVM's shutdown hook calls again
        }
        long deadline = System.nanoTime() + settings.server().drainTimeout().toNanos();
        drain.begin();
        publisher.stop();
        int unfinished = publisher.awaitPublishesEnded(until(deadline));
        if (unfinished > 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    unfinished + " publish(es) still in flight after " + ConfigKey.DRAIN_TIMEOUT.key() + " ("
                            + settings.server().drainTimeout()
                            + "); stopping anyway: they may fail or be stored without being announced");
        }
        store.closeWrites();
        // Whatever the writer committed last is being handed to the bus right now: a moment for it.
        publisher.awaitPublishesEnded(until(deadline));
        bus.close();
        hub.close(); // the dispatch thread delivers what it holds to the streams, which then end
        hub.closeAll(CloseReason.SHUTDOWN);
        awaitStreamsEnded(deadline);
        server.stop();
        releaseParts();
    }

    private static Duration until(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private void releaseParts() {
        access.close();
        if (tlsReload != null) {
            tlsReload.close();
        }
        watch.close();
        ticker.close();
        hub.close();
        bus.close();
        store.close();
        scheduler.close(); // last: the parts above cancelled their tasks, each waiting for its run under way
    }

    private void awaitStreamsEnded(long deadline) {
        try {
            while (hub.stats().drainLoops() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private WebServer buildServer() {
        Settings.Server s = settings.server();
        int maxTopics = s.maxTopicsPerStream();
        connections = new ConnectionLimit(s.maxConnections(), () -> hub.stats().subscribers(Transport.WS));
        watch = new ConnectionWatch(
                s.headerTimeout(),
                s.maxWaitingPerAddress(),
                ConnectionLimit.waitingLimit(s.maxConnections()),
                System::nanoTime,
                scheduler);
        health = new HealthService(store, bus, drain, BuildVersion.current());
        metrics.registerConnectionRefusals(connections::refused);
        metrics.registerWaitingConnectionCloses(watch::timedOut, watch::refused);
        quota = new StreamQuota(s.maxStreamsPerSubject(), s.maxStreamsPerAddress());
        publishGate = new PublishGate(
                new IdempotentPublisher(publisher, idempotencyKeys()),
                publisher,
                s.maxEventBytes(),
                s.maxBatchBytes(),
                s.maxBatchEvents(),
                settings.publish().rateLimit());
        metrics.registerStreamQuotaRefusals(quota::refusedBySubject, quota::refusedByAddress);
        WebServerConfig.Builder builder = WebServer.builder()
                .host(s.host())
                .port(s.port())
                .shutdownHook(false) // our own drain runs instead; see close()
                // Helidon 4.5's default NIO socket holds an 8 KB read and an 8 KB write buffer per
                // connection; the plain socket only the read one: 25 KB of heap per idle SSE stream
                // instead of 33 (perf/idle.sh, docs/deployment.md "Memory per connection").
                .useNio(false)
                .maxTcpConnections(
                        ConnectionLimit.tcpLimit(s.maxConnections())) // the 503 comes first: see ConnectionLimit
                .maxConcurrentRequests(-1) // an SSE stream holds a request permit for its whole life
                .writeBufferSize(RESPONSE_BUFFER_BYTES)
                // Every cursor handed out must fit back in the request (see RequestHeadLimits).
                .addProtocol(Http1Config.builder()
                        .maxPrologueLength(RequestHeadLimits.prologueBytes(maxTopics))
                        .maxHeadersSize(RequestHeadLimits.headerBytes(maxTopics))
                        .build())
                .directHandlers(MalformedRequests.handlers())
                .connectionOptions(options -> {
                    options.tcpNoDelay(true);
                    if (s.socketSendBuffer() > 0) {
                        options.socketSendBufferSize(s.socketSendBuffer());
                    }
                })
                .routing(routing -> routing(routing))
                .update(server -> {
                    if (s.tls().enabled()) {
                        server.tls(TlsFiles.read(s.tls())); // HTTP/2 by ALPN; the management port stays cleartext
                    }
                })
                .update(server -> {
                    if (s.hasManagementPort()) {
                        server.putSocket(MANAGEMENT, socket -> socket.host(s.managementBindHost())
                                .port(s.managementPort())
                                .routing(routing -> managementRouting(routing)));
                    }
                })
                .addRouting(WsRouting.builder()
                        .endpoint(
                                WS,
                                drain.webSocketListeners(() -> new WsEndpoint(
                                        hub, guard, publishGate, cors, connections, quota, maxTopics, store.epoch()))));
        watchConnections(builder);
        return builder.build();
    }

    /**
     * Puts the public listener's connections under {@link ConnectionWatch}: Helidon's own HTTP/1
     * selector (with the protocols it discovered: HTTP/1 and the WebSocket upgrade) is replaced by
     * the same selector wrapped, with a listener that reports complete heads.
     */
    private void watchConnections(WebServerConfig.Builder builder) {
        List<ProtocolConfig> discovered = builder.buildPrototype().protocols();
        List<ProtocolConfig> protocols = discovered.stream()
                .map(protocol -> protocol instanceof Http1Config http1 ? watchHeads(http1) : protocol)
                .toList();
        Http1Config http1 = protocols.stream()
                .filter(Http1Config.class::isInstance)
                .map(Http1Config.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Helidon's HTTP/1 protocol was not discovered"));
        @SuppressWarnings("deprecation") // the provider is meant for the service loader; this is what it would do
        Http1ConnectionSelector discoveredSelector = (Http1ConnectionSelector) new Http1ConnectionProvider()
                .create(WebServer.DEFAULT_SOCKET_NAME, http1, ProtocolConfigs.create(protocols));
        Map<String, Http1Upgrader> upgraders =
                new LinkedHashMap<>(discoveredSelector.prototype().upgraders());
        WsConfig ws = protocols.stream()
                .filter(WsConfig.class::isInstance)
                .map(WsConfig.class::cast)
                .findFirst()
                .orElseGet(WsConfig::create);
        upgraders.put(WS_PROTOCOL, new DirectWsUpgrader(ws));
        // h2c by Upgrade only when server.h2c_upgrade says so (prior knowledge and h2 over TLS stay).
        // The JDK's HttpClient asks for it on every cleartext request, and with Helidon 4.5 a request
        // in flight on an upgraded connection when the server stops was left unanswered for good:
        // CloseRaceIT and DrainWhilePublishingIT hung in CI with their publishers on a stopped server.
        if (!settings.server().h2cUpgrade()) {
            upgraders.remove(H2C_UPGRADE);
        }
        ServerConnectionSelector selector = Http1ConnectionSelector.builder()
                .config(http1)
                .upgraders(upgraders)
                .build();
        // HTTP/1 leaves the list so that Helidon adds no selector of its own; the others stay (the
        // WebSocket connection looks its settings up there).
        builder.protocolsDiscoverServices(false)
                .protocols(protocols.stream()
                        .filter(protocol -> !(protocol instanceof Http1Config))
                        .toList())
                .addConnectionSelector(watch.selector(selector));
    }

    /**
     * The HTTP/1 protocol with the watch's head listener as its only receive listener, passing events
     * on to those it had (Helidon's "recv" logger by default). Helidon 4.2.3 joins two or more receive
     * listeners into one that calls none of them: added next to the logger, the watch never saw a head
     * complete, and closed requests and streams as unfinished heads.
     */
    @SuppressWarnings("ReferenceEquality") // the very listener we passed, not an equal one
    private Http1Config watchHeads(Http1Config http1) {
        Http1ConnectionListener heads = watch.headListener(http1.receiveListeners());
        Http1Config watched = Http1Config.builder()
                .from(http1)
                .receiveListeners(List.of(heads))
                .build();
        if (watched.compositeReceiveListener() != heads) {
            throw new IllegalStateException(
                    "Helidon does not call the head listener directly: the header timeout would close requests");
        }
        return watched;
    }

    /**
     * The public listener's routes, every path in this one place (the WebSocket upgrade of
     * {@link #WS} is the WsRouting of {@link #buildServer}; the reset event names the snapshot path,
     * see io.wirehub.event.Reset). Filters run first, outermost first.
     */
    private void routing(HttpRouting.Builder routing) {
        Settings.Server s = settings.server();
        PublishService publish = new PublishService(publishGate, guard);
        SseService sse = new SseService(hub, guard, quota, s.maxTopicsPerStream(), store.epoch());
        WsRequestRoute ws = new WsRequestRoute(guard, quota, s.maxTopicsPerStream(), store.epoch());
        TopicService topics = new TopicService(meteredStore, guard);
        ClientScriptService client = new ClientScriptService();
        StatsService stats = new StatsService(hub);
        AdminService admin = new AdminService(hub);
        StatsStreamService statsStream = new StatsStreamService(hub, guard, drain::draining, scheduler);
        DashboardService dashboard = new DashboardService();
        routing.addFilter(watch.filter()) // outermost: it sees when a request has ended
                .addFilter(cors.filter())
                .addFilter(connections.filter(HEALTH))
                .addFilter(drain.streamFilter(Set.of(SSE, WS)))
                .addFilter(guard.adminFilter(WireHub::operatorPath))
                .post("/v1/topics/{topic}/events", publish::publishOne)
                .post("/v1/events", publish::publishBatch)
                .get(SSE, sse::stream)
                .get(WS, ws::refuse) // a request that was not upgraded: the JSON error saying why
                .get("/v1/topics/{topic}/snapshot", topics::snapshot)
                .get("/v1/client.js", client::script)
                .get("/v1/client.d.ts", client::types)
                .get(STATS, stats::stats)
                .get(ADMIN + "/subscribers", admin::subscribers)
                .get(ADMIN + "/stats/stream", statsStream::stream)
                .get(DASHBOARD, dashboard::page)
                .get(DASHBOARD + "/", dashboard::page)
                .get(DASHBOARD + "/{file}", dashboard::file);
        if (!s.hasManagementPort()) {
            operatorRoutes(routing);
        }
        ErrorResponses.register(routing);
        routing.any(ErrorResponses::notFound);
    }

    /** The management listener: /metrics and /health only, no token (keep it off the public network). */
    private void managementRouting(HttpRouting.Builder routing) {
        operatorRoutes(routing);
        ErrorResponses.register(routing);
        routing.any(ErrorResponses::notFound);
    }

    /** /metrics and /health: on the management listener when there is one, else on the public one. */
    private void operatorRoutes(HttpRouting.Builder routing) {
        MetricsService scrape = new MetricsService(metrics);
        routing.get(METRICS, scrape::scrape).get(HEALTH, health::ready).get(HEALTH + "/live", health::live);
    }

    /**
     * The operator's endpoints, which need an admin token (Guard#adminFilter): the stats,
     * /v1/admin/* (the dashboard's stats stream among them) and /metrics, by prefix; the
     * dashboard's page by its exact paths (its scripts and styles are public).
     */
    private static boolean operatorPath(String path) {
        return path.startsWith(STATS)
                || path.startsWith(ADMIN + "/")
                || path.startsWith(METRICS)
                || path.equals(DASHBOARD)
                || path.equals(DASHBOARD + "/");
    }

    /** Keys in the store's database when it has one (shared by the instances), else in memory. */
    private IdempotencyKeys idempotencyKeys() {
        return storeParts.idempotencyKeys().apply(settings.publish().idempotencyTtl());
    }

    private static HubSettings hubSettings(Settings settings) {
        Settings.Server s = settings.server();
        return new HubSettings(
                s.sseChannelBuffer(),
                s.wsChannelBuffer(),
                settings.store().replayLimit(),
                s.overflowPolicy().equals("disconnect") ? OverflowPolicy.DISCONNECT : OverflowPolicy.CATCH_UP,
                s.heartbeatInterval(),
                s.writeTimeout(),
                s.wsPongTimeout(),
                s.reconnectRetry(),
                settings.publish().maxPendingDeliveries(),
                s.maxLag());
    }

    /**
     * The store and what comes with its kind, chosen where the store is made.
     *
     * @param idempotencyKeys for a TTL: in the store's database when it has one (shared by the
     *     instances), else in memory
     * @param interest told of the topics the hub follows (the memory store keeps their seqs: see
     *     MemoryEventStore.follow)
     */
    private record StoreParts(
            EventStore store, Function<Duration, IdempotencyKeys> idempotencyKeys, TopicInterest interest) {}

    private static StoreParts createStore(Settings settings, Scheduler scheduler) {
        Settings.Store s = settings.store();
        return switch (s.type()) {
            case "memory" -> {
                MemoryEventStore memory = new MemoryEventStore(
                        s.memoryMaxEventsPerTopic(), s.memoryMaxBytes(), s.memoryMaxTopics(), InstantSource.system());
                yield new StoreParts(
                        memory,
                        ttl -> new MemoryIdempotencyKeys(
                                MEMORY_IDEMPOTENCY_KEYS, MEMORY_IDEMPOTENCY_KEYS_PER_SCOPE, ttl, System::nanoTime),
                        TopicInterest.of(memory::follow, memory::unfollow));
            }
            case "postgres" -> {
                PostgresEventStore postgres = PostgresEventStore.open(s, scheduler);
                yield new StoreParts(postgres, postgres::idempotencyKeys, TopicInterest.NONE);
            }
            default -> throw new IllegalStateException("store.type " + s.type() + " is not built yet");
        };
    }

    private static EventBus createBus(Settings settings, Scheduler scheduler) {
        return switch (settings.bus().type()) {
            case "local" -> new LocalBus();
            case "redis" -> new RedisBus(settings.bus().redis(), scheduler);
            case "redis-cluster" -> RedisBus.cluster(settings.bus().redis(), scheduler);
            default ->
                throw new IllegalStateException("bus.type " + settings.bus().type() + " is not built yet");
        };
    }
}
