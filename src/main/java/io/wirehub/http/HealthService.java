package io.wirehub.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.bus.EventBus;
import io.wirehub.event.JsonStrings;
import io.wirehub.store.EventStore;
import java.time.Duration;

/**
 * {@code GET /health} (readiness: 200 when the store answers and the instance is not shutting
 * down, else 503; it names the version this instance runs) and {@code GET /health/live}
 * (liveness: 200 while the process serves HTTP, shutting down or not).
 *
 * <p>The bus is reported but does not fail readiness: with Redis down an instance still stores
 * publishes and serves its own subscribers, and every instance would otherwise leave the load
 * balancer at once.
 *
 * <p>The store is asked through a {@link Probe}: at most one store check in flight and at most
 * one per {@link #STORE_CHECK_MAX_AGE}, so {@code /health} costs the store nothing however often
 * it is called.
 */
public final class HealthService {
    // How long a store check's answer is reused: a load balancer probing every few seconds always
    // gets a fresh one, a flood of calls costs one store check a second.
    static final Duration STORE_CHECK_MAX_AGE = Duration.ofSeconds(1);

    private final Probe store;
    private final EventBus bus;
    private final Drain drain;
    private final String version;

    /** @param version this build's, shown as {@code "version"} */
    public HealthService(EventStore store, EventBus bus, Drain drain, String version) {
        this.store = new Probe(store::isHealthy, STORE_CHECK_MAX_AGE, System::nanoTime);
        this.bus = bus;
        this.drain = drain;
        this.version = version;
    }

    /** Liveness: the process answers. */
    public void live(ServerRequest req, ServerResponse res) {
        Json.send(res, "{\"status\":\"UP\"}");
    }

    /** Readiness: the store answers and the instance is not shutting down (the bus does not count). */
    public void ready(ServerRequest req, ServerResponse res) {
        boolean storeUp = store.up();
        boolean busUp = bus.isHealthy();
        boolean shuttingDown = drain.shuttingDown();
        boolean up = storeUp && !shuttingDown;
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        Json.send(
                res,
                "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"store\":\"" + (storeUp ? "UP" : "DOWN")
                        + "\",\"bus\":\"" + (busUp ? "UP" : "DOWN") + "\",\"draining\":" + drain.draining()
                        + ",\"shutting_down\":"
                        + shuttingDown + ",\"version\":" + JsonStrings.quote(version) + "}");
    }
}
