package io.wirehub.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The slowloris bound: every connection of the public listener is watched from accept until it
 * ends, so that connections that hold no request cannot starve those that do.
 *
 * <p>A connection is <em>waiting</em> while it is not in a request: before its first request head
 * is complete, and between requests on a keep-alive connection. It is <em>in a request</em> from
 * the moment its head is complete (Helidon's receive listener) until routing returns (the filter).
 * Three bounds, none of which needs a token to matter:
 *
 * <ul>
 *   <li>{@code server.header_timeout}: a head must be complete this long after the connection was
 *       accepted (first request) or after its request line arrived (later requests); past it the
 *       one shared watchdog closes the socket. Idle keep-alive connections are left to Helidon's
 *       idle timeout: closing them sooner would race clients and proxies that reuse them.
 *   <li>{@code server.max_waiting_per_address}: a new connection from an address that already has
 *       this many waiting is closed at once. Behind a proxy the proxy sends whole heads at once, so
 *       its waiting connections are its idle keep-alive pool only.
 *   <li>waiting connections in all never exceed {@link #waitingLimit}: past it the oldest waiting
 *       one is closed to make room, so an attacker's connections churn while a real client, whose
 *       head takes milliseconds, gets through. Requests and streams are never closed for it, and
 *       Helidon's TCP cap is set above both budgets together, so waiting connections never take
 *       the streams' places ({@link ConnectionLimit#tcpLimit}).
 * </ul>
 *
 * <p>Cost: one small entry per connection, one counter per address with waiting connections, and
 * one virtual thread that scans the entries a few times per header timeout (no thread or timer per
 * connection). State changes happen on the connection's own thread; the watchdog only closes sockets.
 */
public final class ConnectionWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());
    private static final ThreadLocal<Watched> CURRENT = new ThreadLocal<>(); // the connection this thread serves

    private final long headerTimeoutNanos;
    private final int maxWaitingPerAddress; // 0: no bound
    private final int waitingLimit;
    private final LongSupplier nanoClock;
    private final Set<Watched> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> waitingByAddress = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Thread watchdog;
    private volatile boolean closed;

    public ConnectionWatch(Duration headerTimeout, int maxWaitingPerAddress, int waitingLimit, LongSupplier nanoClock) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.maxWaitingPerAddress = maxWaitingPerAddress;
        this.waitingLimit = waitingLimit;
        this.nanoClock = nanoClock;
        // A head is closed between 1 and 1.25 header timeouts after its deadline started.
        long periodMillis = Math.clamp(headerTimeout.toMillis() / 4, 50, 1000);
        this.watchdog = Thread.ofVirtual().name("header-timeout").start(() -> watch(periodMillis));
    }

    /**
     * The client address of the connection this thread serves, or null off a connection's thread.
     * For the WebSocket upgrade callback, which Helidon gives no peer.
     */
    public static String currentPeerHost() {
        Watched watched = CURRENT.get();
        return watched == null ? null : watched.ctx.remotePeer().host();
    }

    /** Connections closed because their head was not complete within server.header_timeout. */
    public long timedOut() {
        return timedOut.sum();
    }

    /** Connections closed at accept (address over its bound) or evicted (all waiting places taken). */
    public long refused() {
        return refused.sum();
    }

    /**
     * Helidon's HTTP/1 selector, with each connection it makes watched. It must be the listener's
     * only selector: with two, Helidon waits for the first bytes before asking either, unwatched.
     */
    public ServerConnectionSelector selector(ServerConnectionSelector http1) {
        return new ServerConnectionSelector() {
            @Override
            public int bytesToIdentifyConnection() {
                return http1.bytesToIdentifyConnection();
            }

            @Override
            public Support supports(BufferData request) {
                return http1.supports(request);
            }

            @Override
            public Set<String> supportedApplicationProtocols() {
                return http1.supportedApplicationProtocols();
            }

            @Override
            public ServerConnection connection(ConnectionContext ctx) {
                return watch(ctx, http1.connection(ctx));
            }
        };
    }

    /** The server connection for one accepted socket: watched for as long as Helidon handles it. */
    private ServerConnection watch(ConnectionContext ctx, ServerConnection connection) {
        return new ServerConnection() {
            @Override
            public void handle(io.helidon.common.concurrency.limits.Limit limit) throws InterruptedException {
                Watched watched = new Watched(ctx, address(ctx.remotePeer().address()), nanoClock.getAsLong());
                if (!admit(watched)) {
                    return; // Helidon closes the socket
                }
                CURRENT.set(watched);
                try {
                    connection.handle(limit);
                } finally {
                    CURRENT.remove();
                    open.remove(watched);
                    if (watched.state != State.IN_REQUEST) {
                        leaveWaiting(watched);
                    }
                }
            }

            @Override
            public Duration idleTime() {
                return connection.idleTime();
            }

            @Override
            public void close(boolean interrupt) {
                connection.close(interrupt);
            }
        };
    }

    /** Tells the watch when a head starts (request line read) and when it is complete. */
    public Http1ConnectionListener headListener() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Watched watched = CURRENT.get();
                if (watched != null && watched.state == State.IDLE) { // a later request: its own deadline
                    watched.since = nanoClock.getAsLong();
                    watched.state = State.WAITING;
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                Watched watched = CURRENT.get();
                if (watched != null && watched.state != State.IN_REQUEST) {
                    leaveWaiting(watched);
                    watched.state = State.IN_REQUEST;
                }
            }
        };
    }

    /** Outermost filter: when routing returns, the connection waits (keep-alive) for its next request. */
    public Filter filter() {
        return (chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                Watched watched = CURRENT.get();
                if (watched != null && watched.state == State.IN_REQUEST) {
                    enterWaiting(watched);
                    watched.state = State.IDLE;
                }
            }
        };
    }

    private boolean admit(Watched watched) {
        if (maxWaitingPerAddress > 0 && watched.address != null
                && waitingByAddress.getOrDefault(watched.address, new AtomicInteger()).get() >= maxWaitingPerAddress) {
            refused.increment();
            return false;
        }
        enterWaiting(watched);
        open.add(watched);
        if (waiting.get() > waitingLimit) {
            evictOldestWaiting(watched);
        }
        return true;
    }

    private void evictOldestWaiting(Watched newcomer) {
        open.stream().filter(w -> w != newcomer && w.state != State.IN_REQUEST)
                .min(Comparator.comparingLong(w -> w.since))
                .ifPresent(oldest -> {
                    refused.increment();
                    oldest.close();
                });
    }

    private void enterWaiting(Watched watched) {
        waiting.incrementAndGet();
        if (watched.address != null) {
            waitingByAddress.computeIfAbsent(watched.address, a -> new AtomicInteger()).incrementAndGet();
        }
    }

    private void leaveWaiting(Watched watched) {
        waiting.decrementAndGet();
        if (watched.address != null) {
            waitingByAddress.computeIfPresent(watched.address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
        }
    }

    private void watch(long periodMillis) {
        while (!closed) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = nanoClock.getAsLong();
            for (Watched watched : open) {
                if (watched.state == State.WAITING && now - watched.since > headerTimeoutNanos) {
                    timedOut.increment();
                    watched.close();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
    }

    private static InetAddress address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    private enum State { WAITING, IN_REQUEST, IDLE }

    /** One connection. {@code state} and {@code since} are written by its own thread only. */
    private static final class Watched {
        private final ConnectionContext ctx;
        private final InetAddress address;
        private volatile State state = State.WAITING;
        private volatile long since;

        Watched(ConnectionContext ctx, InetAddress address, long since) {
            this.ctx = ctx;
            this.address = address;
            this.since = since;
        }

        /** Closes the socket: the connection's blocked read fails and Helidon ends it. */
        void close() {
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a watched connection failed", e);
            }
        }
    }
}
