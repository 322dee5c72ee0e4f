package io.wirehub.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole configuration, parsed and validated once at start-up. Immutable. */
public record Settings(Server server, Store store, Bus bus, Auth auth, Publish publish, Log log) {

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
            Duration drainTimeout,
            int managementPort,
            Duration maxLag,
            String managementHost,
            Duration headerTimeout,
            int maxWaitingPerAddress,
            int maxStreamsPerSubject,
            int maxStreamsPerAddress,
            Duration shutdownDelay,
            Tls tls,
            boolean h2cUpgrade) {

        /** Whether /metrics and /health have a port of their own (management_port >= 0; 0: any free one). */
        public boolean hasManagementPort() {
            return managementPort >= 0;
        }

        /** Where the management listener binds: server.management_host, else server.host. */
        public String managementBindHost() {
            return managementHost.isEmpty() ? host : managementHost;
        }
    }

    /**
     * TLS on the public listener (the management port stays cleartext).
     *
     * @param certFile PEM certificate chain, the server's first; empty: cleartext
     * @param keyFile PEM PKCS#8 private key of the first certificate
     * @param reloadInterval how often the files are checked for a change (a renewed certificate)
     */
    public record Tls(String certFile, String keyFile, Duration reloadInterval) {
        public boolean enabled() {
            return !certFile.isEmpty();
        }
    }

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
    public record Redis(
            String url,
            String channel,
            Duration pingInterval,
            Duration pingTimeout,
            String routing,
            int shards,
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
                    + ", pingTimeout=" + pingTimeout + ", routing=" + routing + ", shards=" + shards + ", nodes="
                    + nodes + "]";
        }
    }

    /**
     * @param idempotencyTtl how long an Idempotency-Key is remembered
     * @param rateLimit events per second each publisher (token subject, else client address) may
     *     store; 0: no limit
     * @param overloadWait how long a publish may wait for the fan-out to make room before it gets
     *     {@code 503 overloaded}
     * @param maxPendingDeliveries the fan-out work (deliveries accepted, not yet taken by their
     *     streams) past which publishes wait
     */
    public record Publish(Duration idempotencyTtl, int rateLimit, Duration overloadWait, long maxPendingDeliveries) {}

    /**
     * Who may read and write which topic (docs/security.md).
     *
     * @param mode {@code none} (anyone may do anything: the embedded demo) or {@code jwt}
     * @param cookieName the cookie a browser's EventSource may carry its token in; empty: none read
     * @param corsAllowedOrigins origins browsers may call from ({@code server.cors.allowed_origins}); empty: CORS off
     * @param jwtSecret the HS256 shared secret, empty when keys come from a file; never printed
     * @param previousSecret a second HS256 secret also accepted (during a rotation), or empty; never printed
     * @param publicKeyFile PEM public keys (RSA: RS256, EC P-256: ES256), or empty
     * @param jwksFile a JWKS file of public keys, or empty
     * @param issuer the required {@code iss}, or empty for any
     * @param audience the required {@code aud}, or empty for any
     * @param clockSkew how far {@code exp} and {@code nbf} may be off, for clocks that differ
     * @param keyFileCheck how often the key file is read again for a rotated key
     */
    public record Auth(
            String mode,
            String cookieName,
            List<String> corsAllowedOrigins,
            String jwtSecret,
            String previousSecret,
            String publicKeyFile,
            String jwksFile,
            String issuer,
            String audience,
            Duration clockSkew,
            Duration keyFileCheck) {
        public boolean jwt() {
            return mode.equals("jwt");
        }

        @Override
        public String toString() {
            return "Auth[mode=" + mode + ", cookieName=" + cookieName + ", corsAllowedOrigins=" + corsAllowedOrigins
                    + ", jwtSecret=" + (jwtSecret.isEmpty() ? "" : Credentials.MASK)
                    + ", previousSecret=" + (previousSecret.isEmpty() ? "" : Credentials.MASK)
                    + ", publicKeyFile=" + publicKeyFile + ", jwksFile=" + jwksFile + ", issuer=" + issuer
                    + ", audience=" + audience
                    + ", clockSkew=" + clockSkew + ", keyFileCheck=" + keyFileCheck + "]";
        }
    }

    /**
     * How the server logs (docs/operations.md#logs).
     *
     * @param level the threshold for every logger: {@code off}, {@code error}, {@code warning},
     *     {@code info}, {@code debug} or {@code trace}
     * @param format {@code text} (a line per record, for a terminal) or {@code json} (an object per line, for a collector)
     * @param levels a level per logger name, for that logger and the ones below it, in the order given
     */
    public record Log(String level, String format, Map<String, String> levels) {
        public boolean json() {
            return format.equals("json");
        }
    }
}
