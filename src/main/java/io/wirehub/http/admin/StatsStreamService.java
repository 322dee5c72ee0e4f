package io.wirehub.http.admin;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.http.ApiError;
import io.wirehub.http.ClientOutput;
import io.wirehub.http.ClientReset;
import io.wirehub.http.Guard;
import io.wirehub.hub.Hub;
import io.wirehub.schedule.Scheduler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/admin/stats/stream}: wirehub's own stats as Server-Sent Events, one frame a
 * second ({@link LiveStats}); the dashboard draws from it. Each stream holds its handler's
 * virtual thread: at most {@value #MAX_STREAMS} at once (a few operators' browsers), and each
 * ends when its client leaves (the next write fails), the instance drains, or its token expires
 * (as a subscriber's stream does: {@code event: token_expired}, then the end).
 */
public final class StatsStreamService {
    // NOTE: clients branch on this code.
    static final String TOO_MANY_STATS_STREAMS = "too_many_stats_streams";
    static final int MAX_STREAMS = 8; // each one walks every subscriber each second
    static final Duration PERIOD = Duration.ofSeconds(1);
    // NOTE: the dashboard listens for this event, like subscribers' EventSources (docs/security.md).
    private static final byte[] TOKEN_EXPIRED_FRAME = ("event: token_expired\ndata: {\"error\":\"token_expired\","
                    + "\"message\":\"the admin token expired; open the page again with a fresh one\"}\n\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final Hub hub;
    private final Guard guard;
    private final BooleanSupplier draining;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final Scheduler scheduler; // times each write's deadline

    /** @param guard tells until when the request's token is good (the admin filter let it in) */
    public StatsStreamService(Hub hub, Guard guard, BooleanSupplier draining, Scheduler scheduler) {
        this.hub = hub;
        this.scheduler = scheduler;
        this.guard = guard;
        this.draining = draining;
    }

    public void stream(ServerRequest req, ServerResponse res) throws IOException {
        Instant expiresAt = guard.reader(req.prologue(), req.headers()).expiresAt(); // null: never
        if (!streams.tryAcquire()) {
            throw new ApiError(
                    503,
                    TOO_MANY_STATS_STREAMS,
                    MAX_STREAMS + " stats streams are open on this instance already; "
                            + "close a dashboard, or read GET /metrics");
        }
        try {
            res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8"));
            res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
            res.header(HeaderValues.create("X-Accel-Buffering", "no"));
            LiveStats live = new LiveStats(hub);
            try (OutputStream out = new ClientOutput(res.outputStream(), ClientReset.of(res))) {
                while (!draining.getAsBoolean()) {
                    if (expiresAt != null && !Instant.now().isBefore(expiresAt)) {
                        writeWithDeadline(out, TOKEN_EXPIRED_FRAME);
                        break;
                    }
                    writeWithDeadline(
                            out, ("event: stats\ndata: " + live.next() + "\n\n").getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(PERIOD);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping
        } catch (IOException | java.io.UncheckedIOException e) {
            // the dashboard went away
        } finally {
            streams.release();
            Thread.interrupted(); // leave no interrupt to Helidon's connection loop
        }
    }

    /**
     * A dashboard whose browser stopped reading must not keep this thread (and a stream permit)
     * forever: a write blocked past {@code server.write_timeout} is interrupted, which closes the
     * socket, as for every subscriber.
     */
    private void writeWithDeadline(OutputStream out, byte[] frame) throws IOException {
        Thread writer = Thread.currentThread();
        Scheduler.Task cut = scheduler.after(hub.settings().writeTimeout(), writer::interrupt);
        try {
            out.write(frame);
            out.flush();
        } finally {
            cut.cancel();
        }
    }
}
