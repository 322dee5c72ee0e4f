package io.wirehub.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.wirehub.schedule.Scheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The slowloris bound: every connection of the public listener is watched from accept until it
 * ends, so that connections that hold no request cannot starve those that do.
 *
 * <p>A connection is <em>waiting</em> while it is not in a request: before its first request head
 * is complete, and between requests on a keep-alive connection. It is <em>in a request</em> from
 * the moment its head is complete (Helidon's receive listener) until routing returns (the filter);
 * a connection upgraded to WebSocket never returns through routing, so it stays in its request
 * until it ends. Only waiting connections are ever closed by the watch: the close and the end of
 * a head race on one compare-and-set, so a connection whose head completed first is never closed,
 * whether it holds a plain request, an SSE stream or a WebSocket. Three bounds, none of which needs
 * a token to matter:
 *
 * <ul>
 *   <li>{@code server.header_timeout}: a head must be complete this long after the connection was
 *       accepted (first request) or after its request line arrived (later requests); past it the
 *       one shared watchdog closes the socket. Idle keep-alive connections are left to Helidon's
 *       idle timeout: closing them sooner would race clients and proxies that reuse them.
 *   <li>{@code server.max_waiting_per_address}: a new connection from an address that already has
 *       this many waiting makes the address's longest-waiting one close, if that one has waited a
 *       second ({@link #EVICT_GRACE_NANOS}); otherwise it is let in, so a burst from one address (a
 *       NAT, a proxy, a reconnect storm through a load balancer) gets through.
 *   <li>waiting connections in all stay under {@link #waitingLimit}: past it the oldest waiting
 *       one that has waited a second is closed to make room (an unfinished head by its accept or
 *       request line, an idle keep-alive connection by the end of its last request), at the next
 *       accept or the watchdog's next pass, so an attacker's connections churn while a real
 *       client, whose head takes milliseconds, gets through. Requests and streams are never closed for it, and
 *       Helidon's TCP cap is set above both budgets together, so waiting connections never take
 *       the streams' places ({@link ConnectionLimit#tcpLimit}).
 * </ul>
 *
 * <p>Cost: one small entry per connection, one counter per address with waiting connections, and
 * one task on the instance's scheduler that scans the entries a few times per header timeout (no
 * thread or timer per connection; off the scheduler thread, as it closes sockets). State changes happen on the connection's own thread, except the close, which only
 * a connection still waiting can take.
 */
public final class ConnectionWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());
    private static final ThreadLocal<Watched> CURRENT = new ThreadLocal<>(); // the connection this thread serves
    // No connection is evicted (by a bound, not the timeout) before it has waited this long: a real
    // client's head takes milliseconds even in a burst, so only connections that hold their place
    // make room; and when routing returns, Helidon may still be finishing the response of an idle
    // keep-alive connection (closing an output stream, reading the rest of the entity).
    private static final long EVICT_GRACE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int EVICTED = 1;
    private static final int RACED = 0;
    private static final int NONE = -1;

    private final long headerTimeoutNanos;
    private final int maxWaitingPerAddress; // 0: no bound
    private final int waitingLimit;
    private final LongSupplier nanoClock;
    private final Set<Watched> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> waitingByAddress = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Scheduler.Task watchdog;

    public ConnectionWatch(
            Duration headerTimeout,
            int maxWaitingPerAddress,
            int waitingLimit,
            LongSupplier nanoClock,
            Scheduler scheduler) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.maxWaitingPerAddress = maxWaitingPerAddress;
        this.waitingLimit = waitingLimit;
        this.nanoClock = nanoClock;
        // A head is closed between 1 and 1.25 header timeouts after its deadline started.
        long periodMillis = Math.clamp(headerTimeout.toMillis() / 4, 50, 1000);
        this.watchdog = scheduler.everyBlocking("header-timeout", Duration.ofMillis(periodMillis), this::closeOverdue);
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
                    if (watched.state.getAndSet(State.ENDED).waits()) {
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

    /**
     * Tells the watch when a head starts (request line read) and when it is complete, and passes
     * every event on to {@code others}, the receive listeners the protocol had. It must be the
     * protocol's only receive listener: Helidon 4.2.3 joins two or more into one that calls none
     * of them (and every protocol has its "recv" logging listener by default).
     */
    public Http1ConnectionListener headListener(List<Http1ConnectionListener> others) {
        List<Http1ConnectionListener> forward = List.copyOf(others);
        return new Http1ConnectionListener() {
            @Override
            public void data(ConnectionContext ctx, BufferData data) {
                for (Http1ConnectionListener other : forward) {
                    other.data(ctx, data);
                }
            }

            @Override
            public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
                for (Http1ConnectionListener other : forward) {
                    other.data(ctx, bytes, offset, length);
                }
            }

            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                for (Http1ConnectionListener other : forward) {
                    other.prologue(ctx, prologue);
                }
                Watched watched = CURRENT.get();
                if (watched != null) {
                    headStarted(watched);
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                for (Http1ConnectionListener other : forward) {
                    other.headers(ctx, headers);
                }
                Watched watched = CURRENT.get();
                if (watched != null) {
                    headComplete(watched);
                }
            }

            @Override
            public void status(ConnectionContext ctx, Status status) {
                for (Http1ConnectionListener other : forward) {
                    other.status(ctx, status);
                }
            }
        };
    }

    /**
     * Outermost filter: when routing returns, the connection waits (keep-alive) for its next request.
     * A WebSocket upgrade never passes here: it stays in its request until the connection ends.
     */
    public Filter filter() {
        return (chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                Watched watched = CURRENT.get();
                if (watched != null) {
                    requestEnded(watched);
                }
            }
        };
    }

    /** A request line was read: a later request's head gets its own deadline. */
    private void headStarted(Watched watched) {
        State state = watched.state.get();
        if (state == State.IDLE || state == State.IN_REQUEST) { // IN_REQUEST: the last request ended without routing
            watched.since = nanoClock.getAsLong(); // before the state, which the watchdog reads first
            if (state == State.IN_REQUEST) {
                enterWaiting(watched, 0); // only this thread leaves IN_REQUEST
                watched.state.set(State.WAITING);
            } else {
                watched.state.compareAndSet(State.IDLE, State.WAITING); // lost only to a close
            }
        }
    }

    /** The head is complete: from now on the watch never closes this connection for this request. */
    private void headComplete(Watched watched) {
        State state = watched.state.get();
        if (state.waits() && watched.state.compareAndSet(state, State.IN_REQUEST)) {
            leaveWaiting(watched);
        } // else CLOSED: the watch closed the socket before the head was complete
    }

    private void requestEnded(Watched watched) {
        if (watched.state.get() == State.IN_REQUEST) {
            watched.since = nanoClock.getAsLong();
            enterWaiting(watched, 0); // counted before it can be closed, so that the count never goes below zero
            watched.state.set(State.IDLE); // only this thread leaves IN_REQUEST
        }
    }

    private boolean admit(Watched watched) {
        if (!enterWaiting(watched, maxWaitingPerAddress)) {
            // Over its address's bound: the address's connection that has waited longest makes
            // room, if it has waited past the grace. A burst of young ones (a NAT, a proxy, a
            // reconnect storm through one load balancer) is let in: their heads come in milliseconds.
            for (int tries = 0; tries < 8; tries++) {
                int evicted = evictOldestWaiting(watched, watched.address);
                if (evicted != RACED) {
                    break; // one made room, or none has waited long enough
                }
            }
            enterWaiting(watched, 0);
        }
        open.add(watched);
        for (int tries = 0; tries < 8 && waiting.get() > waitingLimit; tries++) {
            if (evictOldestWaiting(watched, null) == NONE) {
                break;
            }
        }
        return true;
    }

    /**
     * Closes the waiting connection that has waited longest: an unfinished head, or a keep-alive
     * connection idle, waiting at least {@link #EVICT_GRACE_NANOS}; from the given address only,
     * unless null. Returns {@link #EVICTED}, {@link #RACED} (the one picked left waiting or was
     * closed by another thread meanwhile) or {@link #NONE}.
     */
    private int evictOldestWaiting(Watched newcomer, InetAddress from) {
        long now = nanoClock.getAsLong();
        Watched oldest = null;
        State oldestState = null;
        long oldestSince = 0;
        for (Watched w : open) {
            State state = w.state.get();
            long since = w.since;
            boolean evictable = (state == State.WAITING || state == State.IDLE)
                    && now - since >= EVICT_GRACE_NANOS
                    && (from == null || from.equals(w.address));
            if (w != newcomer && evictable && (oldest == null || since - oldestSince < 0)) {
                oldest = w;
                oldestState = state;
                oldestSince = since;
            }
        }
        if (oldest == null) {
            return NONE;
        }
        if (closeWaiting(oldest, oldestState)) {
            refused.increment();
            return EVICTED;
        }
        return RACED; // it just left waiting, or another thread closed it: the caller looks again
    }

    /** Closes a connection that is still in {@code expected}, a waiting state; false if it left it. */
    private boolean closeWaiting(Watched watched, State expected) {
        if (!watched.state.compareAndSet(expected, State.CLOSED)) {
            return false;
        }
        leaveWaiting(watched);
        watched.close();
        return true;
    }

    /** Counts a connection as waiting; false (nothing counted) if its address already has {@code bound} (0: none). */
    private boolean enterWaiting(Watched watched, int bound) {
        if (watched.address != null) {
            boolean[] full = {false};
            waitingByAddress.compute(watched.address, (a, n) -> {
                int count = n == null ? 0 : n;
                if (bound > 0 && count >= bound) {
                    full[0] = true;
                    return n;
                }
                return count + 1;
            });
            if (full[0]) {
                return false;
            }
        }
        waiting.incrementAndGet();
        return true;
    }

    private void leaveWaiting(Watched watched) {
        waiting.decrementAndGet();
        if (watched.address != null) {
            waitingByAddress.computeIfPresent(watched.address, (a, n) -> n == 1 ? null : n - 1);
        }
    }

    private void closeOverdue() {
        long now = nanoClock.getAsLong();
        for (Watched watched : open) {
            if (watched.state.get() == State.WAITING
                    && now - watched.since > headerTimeoutNanos
                    && closeWaiting(watched, State.WAITING)) {
                timedOut.increment();
            }
        }
        // The bound holds between accepts too: at Helidon's TCP cap nothing new is accepted
        // that would make room, so connections let in young make room once they have waited.
        for (int tries = 0; tries < 64 && waiting.get() > waitingLimit; tries++) {
            if (evictOldestWaiting(null, null) == NONE) {
                break;
            }
        }
    }

    @Override
    public void close() {
        watchdog.cancel();
    }

    private static InetAddress address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /**
     * WAITING (head not complete) and IDLE (between keep-alive requests) count as waiting. The
     * connection's own thread moves it between these and IN_REQUEST; the watch only ever moves a
     * waiting connection to CLOSED, by compare-and-set, so it never closes one whose head completed.
     */
    private enum State {
        WAITING,
        IN_REQUEST,
        IDLE,
        CLOSED,
        ENDED;

        boolean waits() {
            return this == WAITING || this == IDLE;
        }
    }

    /** One connection. {@code since} is written by its own thread only. */
    private static final class Watched {
        private final ConnectionContext ctx;
        private final InetAddress address;
        private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
        private volatile long since; // accepted, request line read, or request ended (IDLE)

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
