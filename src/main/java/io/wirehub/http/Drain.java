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
 * Whether the instance drains, and the refusal of new streams while it does: a stream opened now
 * would only be cut when the server stops, so SSE requests and WebSocket upgrades get
 * {@code 503 shutting_down} in the one JSON error shape instead, and the client goes elsewhere.
 * (Publishes are refused by the Publisher; {@code /health} reports the drain.)
 */
public final class Drain {
    private static final Set<String> STREAM_PATHS = Set.of("/v1/sse", "/v1/ws");

    private volatile boolean draining;

    /** From now on, new streams are refused. */
    public void begin() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Answers 503 to a stream request while draining; lets everything else through. */
    public Filter streamFilter() {
        return (chain, req, res) -> {
            if (draining && STREAM_PATHS.contains(req.path().path())) {
                res.header(HeaderNames.RETRY_AFTER, "1");
                ErrorResponses.send(res, new ApiError(503, ErrorResponses.SHUTTING_DOWN,
                        "this instance is shutting down; open the stream again (another instance will serve it)"));
                return;
            }
            chain.proceed();
        };
    }

    /**
     * The WebSocket listeners, except while draining: then the upgrade is declined, the request
     * goes on as plain HTTP, and {@link #streamFilter()} answers it with the 503.
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
