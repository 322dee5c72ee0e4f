package io.wirehub.bus.redis;

import io.wirehub.config.ConfigKey;
import java.net.URI;
import java.net.URISyntaxException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Where Redis is and how to log in, parsed once from {@code bus.redis.url}
 * ({@code redis[s]://[[user]:password@]host[:port][/database]}).
 *
 * <p>The URL may carry a password, so only {@link #shown()} (credentials masked) ever reaches a
 * log line or an error message.
 */
final class RedisAddress {
    private static final int DEFAULT_PORT = 6379;
    // Connect and read timeout of every connection: ample for a round trip inside a data centre,
    // and short enough that a publish does not hold its HTTP request long when Redis is black-holed.
    private static final int TIMEOUT_MILLIS = 2000;

    private final HostAndPort hostAndPort;
    private final URI uri;
    private final String shown;

    private RedisAddress(URI uri, HostAndPort hostAndPort, String shown) {
        this.uri = uri;
        this.hostAndPort = hostAndPort;
        this.shown = shown;
    }

    /** @throws IllegalStateException naming the setting when the URL cannot be used */
    static RedisAddress parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot use Redis URL " + setting() + ": not a valid URL");
        }
        String shown = mask(uri);
        if (uri.getHost() == null) {
            throw new IllegalStateException("cannot use Redis URL " + shown + " " + setting() + ": it names no host");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        return new RedisAddress(uri, new HostAndPort(uri.getHost(), port), shown);
    }

    HostAndPort hostAndPort() {
        return hostAndPort;
    }

    /** Credentials, database and TLS from the URL; the client name shows in CLIENT LIST. */
    JedisClientConfig clientConfig(String clientName) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .clientName(clientName)
                .build();
    }

    /** The URL with any credentials replaced by {@code ***}. */
    String shown() {
        return shown;
    }

    /** The one line that says Redis cannot be reached, for start-up failures. */
    String unreachable(Throwable cause) {
        return "cannot reach Redis at " + shown + " " + setting() + ": " + reason(cause);
    }

    /** The innermost cause's message, as a lower-case phrase: "connection refused". */
    @SuppressWarnings("ReferenceEquality") // a cause that is the very same object ends the walk
    static String reason(Throwable failure) {
        Throwable root = failure;
        while (true) {
            if (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            } else if (root.getSuppressed().length > 0) {
                root = root.getSuppressed()[0]; // Jedis keeps each failed address's cause there
            } else {
                break;
            }
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static String setting() {
        return "(" + ConfigKey.REDIS_URL.key() + " / " + ConfigKey.REDIS_URL.env() + ")";
    }

    private static String mask(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + host
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    @Override
    public String toString() {
        return shown;
    }
}
