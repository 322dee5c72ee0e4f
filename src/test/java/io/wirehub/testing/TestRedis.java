package io.wirehub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.embedded.RedisServer;

/**
 * The Redis the tests use: the one on 127.0.0.1:6379 when it answers PING, else an embedded
 * redis-server started once per JVM on a free port (and stopped when the JVM exits). Each test
 * class takes its own random channel prefix, so classes never see each other's messages.
 */
public final class TestRedis {
    private static final String HOST = "127.0.0.1";
    private static final int LOCAL_PORT = 6379;
    private static final ReentrantLock START = new ReentrantLock();
    private static volatile Integer port;

    private TestRedis() {}

    /** {@code redis://127.0.0.1:<port>} of the shared test Redis, starting it if needed. */
    public static String url() {
        return "redis://" + HOST + ":" + port();
    }

    /** A fresh channel prefix: one per test class. */
    public static String channel() {
        return "wh-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The WH_* variables that point an instance at the test Redis on {@code channel}. */
    public static Map<String, String> env(String channel) {
        return Map.of("WH_BUS_TYPE", "redis", "WH_BUS_REDIS_URL", url(), "WH_BUS_REDIS_CHANNEL", channel);
    }

    /** A plain connection for what the tests do behind the bus's back (raw PUBLISH, CLIENT KILL). */
    public static Jedis connect() {
        return new Jedis(HOST, port());
    }

    /** Drops every pub/sub connection (CLIENT KILL TYPE pubsub): every subscriber must reconnect. */
    public static long killSubscribers() {
        try (Jedis jedis = connect()) {
            return jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
        }
    }

    /** A Redis of the test's own on a free port, for tests that stop and restart it. */
    public static RedisServer startOwn(int port) {
        try {
            RedisServer server =
                    RedisServer.newRedisServer().bind(HOST).port(port).build();
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int port() {
        Integer known = port;
        if (known != null) {
            return known;
        }
        START.lock(); // the first caller pings or starts Redis; the others wait for it
        try {
            if (port == null) {
                boolean forceEmbedded = "embedded".equals(System.getProperty("wirehub.test.redis"));
                port = !forceEmbedded && localAnswers() ? LOCAL_PORT : startEmbedded();
            }
            return port;
        } finally {
            START.unlock();
        }
    }

    private static boolean localAnswers() {
        try (Jedis jedis = new Jedis(HOST, LOCAL_PORT, 500)) {
            if ("PONG".equals(jedis.ping())) {
                System.err.println("TestRedis: using the Redis at " + HOST + ":" + LOCAL_PORT);
                return true;
            }
        } catch (RuntimeException e) {
            // not there: start our own
        }
        return false;
    }

    private static int startEmbedded() {
        int free = freePort();
        RedisServer server = startOwn(free);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                server.stop();
                            } catch (IOException e) {
                                // the JVM is exiting
                            }
                        },
                        "embedded-redis-stop"));
        System.err.println("TestRedis: no Redis at " + HOST + ":" + LOCAL_PORT
                + ", started embedded redis-server on port " + free);
        return free;
    }
}
