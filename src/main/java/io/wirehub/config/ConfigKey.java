package io.wirehub.config;

/**
 * Every configuration key wirehub reads: its YAML path, its environment variable and its
 * default. This table is the one source of truth for the env mapping (Helidon's own mapping
 * would turn WH_SSE_CHANNEL_BUFFER into wh.sse.channel.buffer) and for the list of known keys:
 * a key in the YAML that is not here is refused, so a typo never silently falls back to a default.
 */
public enum ConfigKey {
    // NOTE: keys and variable names are public API: operators' files and manifests use them.
    HOST("server.host", "WH_HOST", "0.0.0.0"),
    PORT("server.port", "WH_PORT", "8080"),
    MAX_CONNECTIONS("server.max_connections", "WH_MAX_CONNECTIONS", "10000"),
    SSE_CHANNEL_BUFFER("server.sse_channel_buffer", "WH_SSE_CHANNEL_BUFFER", "64"),
    WS_CHANNEL_BUFFER("server.ws_channel_buffer", "WH_WS_CHANNEL_BUFFER", "64"),
    OVERFLOW_POLICY("server.overflow_policy", "WH_OVERFLOW_POLICY", "catch-up"),
    HEARTBEAT_INTERVAL("server.heartbeat_interval", "WH_HEARTBEAT_INTERVAL", "15s"),
    WRITE_TIMEOUT("server.write_timeout", "WH_WRITE_TIMEOUT", "10s"),
    WS_PONG_TIMEOUT("server.ws_pong_timeout", "WH_WS_PONG_TIMEOUT", "10s"),
    RECONNECT_RETRY("server.reconnect_retry", "WH_RECONNECT_RETRY", "1s"),
    MAX_EVENT_BYTES("server.max_event_bytes", "WH_MAX_EVENT_BYTES", "65536"),
    MAX_BATCH_BYTES("server.max_batch_bytes", "WH_MAX_BATCH_BYTES", "1048576"),
    MAX_BATCH_EVENTS("server.max_batch_events", "WH_MAX_BATCH_EVENTS", "1000"),
    MAX_TOPICS_PER_STREAM("server.max_topics_per_stream", "WH_MAX_TOPICS_PER_STREAM", "64"),
    SOCKET_SEND_BUFFER("server.socket_send_buffer", "WH_SOCKET_SEND_BUFFER", "0"),
    DRAIN_TIMEOUT("server.drain_timeout", "WH_DRAIN_TIMEOUT", "5s"),
    // After SIGTERM, /health answers 503 this long while everything is still served, then the
    // drain: Kubernetes takes a pod out of its endpoints and proxies in a second or two, a load
    // balancer probing every 2 s needs two failed probes. 5 s plus the 5 s drain stays within
    // docker stop's 10 s and well within Kubernetes' 30 s grace period.
    SHUTDOWN_DELAY("server.shutdown_delay", "WH_SHUTDOWN_DELAY", "5s"),
    MANAGEMENT_PORT("server.management_port", "WH_MANAGEMENT_PORT", "-1"),
    // A stream behind the live events this long is moved to the present with a lag_limit reset:
    // a price or a dashboard 5 s late is already wrong, and catching up would only let it fall
    // further behind while the server is overloaded.
    MAX_LAG("server.max_lag", "WH_MAX_LAG", "5s"),
    // Empty: server.host, as before the key existed, so an upgrade keeps the probes that reach it.
    MANAGEMENT_HOST("server.management_host", "WH_MANAGEMENT_HOST", ""),
    // A real client sends its head in milliseconds; 10 s leaves room for a slow mobile link.
    HEADER_TIMEOUT("server.header_timeout", "WH_HEADER_TIMEOUT", "10s"),
    // A browser opens at most 6 connections per host; 16 leaves room for a few behind one NAT.
    // One token's subject may take a tenth of the default max_connections; a feed shared by many
    // viewers under one subject needs more (or 0). Per address: off, since behind a proxy every
    // stream comes from the proxy's address.
    MAX_STREAMS_PER_SUBJECT("server.max_streams_per_subject", "WH_MAX_STREAMS_PER_SUBJECT", "1000"),
    MAX_STREAMS_PER_ADDRESS("server.max_streams_per_address", "WH_MAX_STREAMS_PER_ADDRESS", "0"),
    MAX_WAITING_PER_ADDRESS("server.max_waiting_per_address", "WH_MAX_WAITING_PER_ADDRESS", "16"),
    CORS_ALLOWED_ORIGINS("server.cors.allowed_origins", "WH_CORS_ALLOWED_ORIGINS", ""),
    // TLS on the public listener, from PEM files as Kubernetes secrets and ACME clients write them;
    // both empty: cleartext. The files are re-read when they change (a renewed certificate needs no
    // restart): 10 s is soon enough for a renewal done days ahead, and costs two stat() calls.
    TLS_CERT_FILE("server.tls.cert_file", "WH_SERVER_TLS_CERT_FILE", ""),
    TLS_KEY_FILE("server.tls.key_file", "WH_SERVER_TLS_KEY_FILE", ""),
    TLS_RELOAD_INTERVAL("server.tls.reload_interval", "WH_SERVER_TLS_RELOAD_INTERVAL", "10s"),
    // Off: with Helidon 4.5 a request in flight on a connection upgraded to h2c when the server stops
    // was left unanswered (docs/deployment.md). Prior-knowledge h2c and h2 over TLS are always on.
    H2C_UPGRADE("server.h2c_upgrade", "WH_SERVER_H2C_UPGRADE", "false"),

    STORE_TYPE("store.type", "WH_STORE_TYPE", "memory"),
    REPLAY_LIMIT("store.replay_limit", "WH_STORE_REPLAY_LIMIT", "100"),
    MEMORY_MAX_EVENTS_PER_TOPIC("store.memory.max_events_per_topic", "WH_STORE_MEMORY_MAX_EVENTS_PER_TOPIC", "10000"),
    // 128 MiB and 100,000 topics (about 35 MB of topic entries at most) leave most of a 512 MB heap to streams.
    MEMORY_MAX_BYTES("store.memory.max_bytes", "WH_STORE_MEMORY_MAX_BYTES", "134217728"),
    MEMORY_MAX_TOPICS("store.memory.max_topics", "WH_STORE_MEMORY_MAX_TOPICS", "100000"),
    RETENTION("store.retention", "WH_STORE_RETENTION", "7d"),
    MAX_EVENTS_PER_TOPIC("store.max_events_per_topic", "WH_STORE_MAX_EVENTS_PER_TOPIC", "100000"),
    POSTGRES_URL("store.postgres.url", "WH_STORE_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"),
    POSTGRES_USER("store.postgres.user", "WH_STORE_POSTGRES_USER", "postgres"),
    POSTGRES_PASSWORD("store.postgres.password", "WH_STORE_POSTGRES_PASSWORD", ""),
    POSTGRES_SCHEMA("store.postgres.schema", "WH_STORE_POSTGRES_SCHEMA", "wirehub"),
    POSTGRES_POOL_SIZE("store.postgres.pool_size", "WH_STORE_POSTGRES_POOL_SIZE", "10"),

    BUS_TYPE("bus.type", "WH_BUS_TYPE", "local"),
    REDIS_URL("bus.redis.url", "WH_BUS_REDIS_URL", "redis://127.0.0.1:6379"),
    REDIS_CHANNEL("bus.redis.channel", "WH_BUS_REDIS_CHANNEL", "wirehub"),
    REDIS_PING_INTERVAL("bus.redis.ping_interval", "WH_BUS_REDIS_PING_INTERVAL", "5s"),
    REDIS_PING_TIMEOUT("bus.redis.ping_timeout", "WH_BUS_REDIS_PING_TIMEOUT", "5s"),
    REDIS_ROUTING("bus.redis.routing", "WH_BUS_REDIS_ROUTING", "channel"),
    // 64 shard channels: few enough that an instance's subscriptions stay a short list, enough
    // that an instance following a few topics receives about 1/64 of the others' traffic.
    REDIS_SHARDS("bus.redis.shards", "WH_BUS_REDIS_SHARDS", "64"),
    REDIS_NODES("bus.redis.nodes", "WH_BUS_REDIS_NODES", ""),

    PUBLISH_IDEMPOTENCY_TTL("publish.idempotency_ttl", "WH_PUBLISH_IDEMPOTENCY_TTL", "24h"),
    PUBLISH_RATE_LIMIT("publish.rate_limit", "WH_PUBLISH_RATE_LIMIT", "0"),
    // Overload (docs/operations.md): past max_pending_deliveries of fan-out work (about 100 ms of
    // the ~1 M deliveries/s measured on 2 cores) a publish waits, at most overload_wait, then
    // gets 503 overloaded with nothing stored: a publish answers within about half a second.
    PUBLISH_OVERLOAD_WAIT("publish.overload_wait", "WH_PUBLISH_OVERLOAD_WAIT", "500ms"),
    PUBLISH_MAX_PENDING_DELIVERIES("publish.max_pending_deliveries", "WH_PUBLISH_MAX_PENDING_DELIVERIES", "100000"),

    AUTH_MODE("auth.mode", "WH_AUTH_MODE", "none"),
    AUTH_COOKIE_NAME("auth.cookie_name", "WH_AUTH_COOKIE_NAME", ""),
    AUTH_JWT_SECRET("auth.jwt.secret", "WH_AUTH_JWT_SECRET", ""),
    // A second HS256 secret accepted beside auth.jwt.secret: the old one while tokens signed with
    // it are still alive (rotation, docs/security.md).
    AUTH_JWT_PREVIOUS_SECRET("auth.jwt.previous_secret", "WH_AUTH_JWT_PREVIOUS_SECRET", ""),
    AUTH_JWT_PUBLIC_KEY_FILE("auth.jwt.public_key_file", "WH_AUTH_JWT_PUBLIC_KEY_FILE", ""),
    AUTH_JWT_JWKS_FILE("auth.jwt.jwks_file", "WH_AUTH_JWT_JWKS_FILE", ""),
    AUTH_JWT_ISSUER("auth.jwt.issuer", "WH_AUTH_JWT_ISSUER", ""),
    AUTH_JWT_AUDIENCE("auth.jwt.audience", "WH_AUTH_JWT_AUDIENCE", ""),
    AUTH_JWT_CLOCK_SKEW("auth.jwt.clock_skew", "WH_AUTH_JWT_CLOCK_SKEW", "30s"),
    // How often public_key_file / jwks_file is read again for a rotated key: a file of a few KB
    // read every 10 s costs nothing, and a rotation waits at most this for every instance.
    AUTH_JWT_KEY_FILE_CHECK("auth.jwt.key_file_check", "WH_AUTH_JWT_KEY_FILE_CHECK", "10s"),

    LOG_LEVEL("log.level", "WH_LOG_LEVEL", "info"),
    // text: the line operators read in a terminal; json: one object per line for a log collector.
    LOG_FORMAT("log.format", "WH_LOG_FORMAT", "text"),
    LOG_LEVELS("log.levels", "WH_LOG_LEVELS", "");

    private final String key;
    private final String env;
    private final String defaultValue;

    ConfigKey(String key, String env, String defaultValue) {
        this.key = key;
        this.env = env;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /**
     * Keys that hold several values: a YAML list in the file, or a comma-separated string (the
     * only form an environment variable has, and the file's form before lists were accepted).
     */
    public boolean list() {
        return this == CORS_ALLOWED_ORIGINS || this == REDIS_NODES || this == LOG_LEVELS;
    }

    /** Values that must never reach a log or an error message. */
    public boolean secret() {
        return this == POSTGRES_PASSWORD
                || this == REDIS_URL // a Redis URL may carry a password
                || this == AUTH_JWT_SECRET
                || this == AUTH_JWT_PREVIOUS_SECRET;
    }
}
