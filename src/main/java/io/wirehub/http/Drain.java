package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.Filter;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where the instance is on its way out, and the refusal of new streams while it drains.
 *
 * <p>Two steps, in this order. Shutting down ({@link #announce()}, SIGTERM with
 * {@code server.shutdown_delay}): {@code /health} answers 503 so the load balancer stops sending
 * new clients, and everything else is served as before, since clients the balancer has not yet
 * heard about keep arriving. Draining ({@link #begin()}): a stream opened now would only be cut
 * when the server stops, so SSE requests and WebSocket upgrades get {@code 503 shutting_down} in
 * the one JSON error shape instead, and the client goes elsewhere. (Publishes are refused by the
 * Publisher.)
 */
public final class Drain {
    private volatile boolean shuttingDown;
    private volatile boolean draining;

    /** From now on readiness is down; requests and streams are still served. */
    public void announce() {
        shuttingDown = true;
    }

    /** From now on, new streams are refused (and readiness is down, announced or not). */
    public void begin() {
        shuttingDown = true;
        draining = true;
    }

    /** Whether the instance is leaving: after {@link #announce()} or {@link #begin()}. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    public boolean draining() {
        return draining;
    }

    /** Answers 503 to a request for one of {@code streamPaths} while draining; lets everything else through. */
    public Filter streamFilter(Set<String> streamPaths) {
        return (chain, req, res) -> {
            if (draining && streamPaths.contains(req.path().path())) {
                res.header(HeaderNames.RETRY_AFTER, "1");
                ErrorResponses.send(
                        res,
                        new ApiError(
                                503,
                                ErrorResponses.SHUTTING_DOWN,
                                "this instance is shutting down; open the stream again (another instance will serve it)"));
                return;
            }
            chain.proceed();
        };
    }

    /**
     * The WebSocket listeners, except while draining: then the upgrade is declined, the request
     * goes on as plain HTTP, and {@link #streamFilter} answers it with the 503.
     */
    public Supplier<WsListener> webSocketListeners(Supplier<WsListener> listeners) {
        return () -> draining ? new Declined() : listeners.get();
    }

    private static final class Declined implements WsListener {
        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            throw new WsUpgradeException("shutting down");
        }
    }
}
