package io.wirehub.transport.sse;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.Grant;
import io.wirehub.http.ClientOutput;
import io.wirehub.http.ClientReset;
import io.wirehub.http.Guard;
import io.wirehub.http.StreamQuota;
import io.wirehub.hub.Hub;
import io.wirehub.hub.Subscriber;
import io.wirehub.hub.Transport;
import io.wirehub.transport.StreamRequest;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/sse?topic=a&topic=b}: a Server-Sent Events stream of the listed topics.
 *
 * <p>The handler runs on the connection's own virtual thread and becomes the subscriber's drain
 * thread for the life of the stream. Frames are written as pre-built bytes to the response's
 * output stream (not Helidon's SseSink: 4.2.3's could not send comments or split data lines; 4.5's can, but
 * pre-built frames are shared by every stream of a topic and a batch goes out in one write).
 */
public final class SseService {
    private static final Header NO_BUFFERING = HeaderValues.create("X-Accel-Buffering", "no");

    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");

    private final Hub hub;
    private final Guard guard;
    private final StreamQuota quota;
    private final int maxTopics;
    private final long retryMillis;
    private final String storeEpoch;

    public SseService(Hub hub, Guard guard, StreamQuota quota, int maxTopics, String storeEpoch) {
        this.hub = hub;
        this.guard = guard;
        this.quota = quota;
        this.maxTopics = maxTopics;
        this.storeEpoch = storeEpoch;
        this.retryMillis = hub.settings().reconnectRetry().toMillis();
    }

    public void stream(ServerRequest req, ServerResponse res) throws Exception {
        Grant grant = guard.reader(req.prologue(), req.headers());
        String lastEventId = req.headers()
                .first(LAST_EVENT_ID)
                .orElseGet(() -> req.query().first("lastEventId").orElse(null));
        StreamRequest request =
                StreamRequest.parse(req.query().all("topic", List::of), lastEventId, maxTopics, storeEpoch, true);
        grant.requireSubscribe(request.topics()); // replay included: the cursor only names these topics
        StreamQuota.Permit permit =
                quota.acquire(grant.subject(), req.remotePeer().host());
        try {
            serve(req, res, grant, request);
        } finally {
            permit.close();
        }
    }

    private void serve(ServerRequest req, ServerResponse res, Grant grant, StreamRequest request) throws Exception {

        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        res.header(NO_BUFFERING); // nginx would otherwise buffer the stream
        Subscriber subscriber = hub.subscriber(
                Transport.SSE,
                request.topics(),
                request.resumeFrom(),
                request.unknownCursors(),
                new SseSink(new ClientOutput(res.outputStream(), ClientReset.of(res)), retryMillis, storeEpoch),
                grant.lifetime(Instant.now()));
        subscriber.remoteAddress(
                req.remotePeer().host() + ":" + req.remotePeer().port());
        subscriber.run();
    }
}
