package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * {@code server.max_connections}: past it, a new request or stream gets {@code 503
 * too_many_connections} with {@code Retry-After} at once, instead of waiting unanswered.
 *
 * <p>Why not Helidon's own {@code max-tcp-connections} alone: its accept loop takes a permit
 * before {@code accept()}, so the connection past the cap sits in the kernel's backlog with no
 * answer until another closes (a client sees a hang). So the cap is counted here, on what holds
 * resources: requests in progress (an SSE stream is one for its whole life) plus open WebSockets.
 * Helidon's limit stays, set higher ({@link #tcpLimit}), as the hard bound on file descriptors
 * that idle keep-alive connections also take. {@code /health} is never refused, so an operator
 * can still see a full instance.
 */
public final class ConnectionLimit {
    // NOTE: clients branch on this code.
    static final String TOO_MANY_CONNECTIONS = "too_many_connections";

    private final int max;
    private final IntSupplier openWebSockets;
    private final AtomicInteger requests = new AtomicInteger();
    private final LongAdder refused = new LongAdder();

    public ConnectionLimit(int max, IntSupplier openWebSockets) {
        this.max = max;
        this.openWebSockets = openWebSockets;
    }

    /**
     * Helidon's hard TCP limit: the cap, plus room for the 503s themselves, plus the connections
     * that hold no request ({@link #waitingLimit}: unfinished heads, idle keep-alive), so that
     * these can never take the streams' places.
     */
    public static int tcpLimit(int max) {
        return max + 2 * waitingLimit(max);
    }

    /** How many connections may wait for (or trickle) a request head at once, all addresses together. */
    public static int waitingLimit(int max) {
        return Math.max(64, max / 10);
    }

    /** Whether a new stream now would be past the cap (the WebSocket upgrade asks this). */
    public boolean full() {
        return requests.get() + openWebSockets.getAsInt() >= max;
    }

    /** Requests and streams refused so far. */
    public long refused() {
        return refused.sum();
    }

    /** @param healthPath never refused: the paths under it answer whether the instance is up, and a full one is */
    public Filter filter(String healthPath) {
        return (chain, req, res) -> {
            int inUse = requests.incrementAndGet() + openWebSockets.getAsInt();
            try {
                if (inUse > max && !req.path().path().startsWith(healthPath)) {
                    refused.increment();
                    res.header(HeaderNames.RETRY_AFTER, "1");
                    if (!req.prologue().protocolVersion().startsWith("2")) {
                        res.header(HeaderNames.CONNECTION, "close"); // HTTP/1 only: HTTP/2 forbids the header
                    }
                    ErrorResponses.send(
                            res,
                            new ApiError(
                                    503,
                                    TOO_MANY_CONNECTIONS,
                                    "this instance serves its maximum of " + max
                                            + " connections (server.max_connections); retry shortly, or on another instance"));
                    return;
                }
                chain.proceed();
            } finally {
                requests.decrementAndGet();
            }
        };
    }
}
