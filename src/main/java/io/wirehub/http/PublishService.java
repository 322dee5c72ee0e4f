package io.wirehub.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.Grant;
import io.wirehub.event.Names;
import io.wirehub.event.NewEvent;
import io.wirehub.publish.IdempotentPublisher;
import java.util.Collections;
import java.util.List;

/**
 * {@code POST /v1/topics/{topic}/events} (one event, the body is its data) and
 * {@code POST /v1/events} (a batch, all or nothing). A 201 means the events are stored. An
 * {@code Idempotency-Key} header (a batch: each event's {@code id_key}) makes a retry return the
 * original {@code {topic, seq}} without storing again, within {@code publish.idempotency_ttl}.
 */
public final class PublishService {
    // NOTE: clients send this header to make a retry safe (docs/security.md).
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    private static final HeaderName REPLAYED = HeaderNames.create("Idempotent-Replayed");

    private final PublishGate gate;
    private final Guard guard;

    public PublishService(PublishGate gate, Guard guard) {
        this.gate = gate;
        this.guard = guard;
    }

    /** {@code POST /v1/topics/{topic}/events}: one event, its data the body. */
    public void publishOne(ServerRequest req, ServerResponse res) throws Exception {
        measured(req, res, this::publishOne);
    }

    /** {@code POST /v1/events}: a batch, all or nothing. */
    public void publishBatch(ServerRequest req, ServerResponse res) throws Exception {
        measured(req, res, this::publishBatch);
    }

    /**
     * Takes the arrival time (the start of each event's publish→flush latency) and counts a
     * refused request by its error code.
     */
    private void measured(ServerRequest req, ServerResponse res, Publish publish) throws Exception {
        long arrived = System.nanoTime();
        try {
            publish.handle(req, res, arrived);
        } catch (ApiError e) {
            gate.refused(e.code());
            throw e;
        }
    }

    @FunctionalInterface
    private interface Publish {
        void handle(ServerRequest req, ServerResponse res, long arrivedNanos) throws Exception;
    }

    private void publishOne(ServerRequest req, ServerResponse res, long arrived) throws Exception {
        Grant grant = guard.publisher(req.headers());
        String topic = req.path().pathParameters().get("topic");
        if (Names.isValidTopic(topic)) {
            grant.requirePublish(List.of(topic)); // before the body is read: a refused client costs no upload
        }
        gate.admit(grant, req.remotePeer().host(), 1);
        String key = EventBodies.idempotencyKey(
                req.headers().first(IDEMPOTENCY_KEY).orElse(null), "the Idempotency-Key header");
        NewEvent event = gate.bodies()
                .single(
                        topic,
                        req.query().first("event").orElse(null),
                        req.content().inputStream(),
                        declaredLength(req),
                        declared(req));
        IdempotentPublisher.Result stored = gate.publish(
                        grant, new EventBodies.Batch(List.of(event), Collections.singletonList(key)), arrived)
                .getFirst();
        if (stored.replayed()) {
            res.header(REPLAYED, "true");
        }
        res.status(Status.CREATED_201);
        Json.send(res, ack(stored));
    }

    private void publishBatch(ServerRequest req, ServerResponse res, long arrived) throws Exception {
        Grant grant = guard.publisher(req.headers());
        EventBodies.Batch batch = gate.bodies().batch(req.content().inputStream(), declaredLength(req));
        grant.requirePublish(batch.events().stream().map(NewEvent::topic).toList()); // all or nothing, like the batch
        gate.admit(grant, req.remotePeer().host(), batch.events().size());
        List<IdempotentPublisher.Result> stored = gate.publish(grant, batch, arrived);
        StringBuilder out = new StringBuilder(stored.size() * 40).append("{\"events\":[");
        for (int i = 0; i < stored.size(); i++) {
            out.append(i == 0 ? "" : ",").append(ack(stored.get(i)));
        }
        res.status(Status.CREATED_201);
        Json.send(res, out.append("]}").toString());
    }

    private static String ack(IdempotentPublisher.Result event) {
        return "{\"topic\":\"" + event.topic() + "\",\"seq\":" + event.seq() + "}";
    }

    /** What the Content-Type says of a single publish's body (see {@link EventBodies}). */
    private static EventBodies.Declared declared(ServerRequest req) {
        return req.headers()
                .contentType()
                .map(type -> {
                    String subtype = type.mediaType().subtype();
                    if (subtype.equals("json") || subtype.endsWith("+json")) {
                        return EventBodies.Declared.JSON;
                    }
                    return type.mediaType().type().equals("text")
                            ? EventBodies.Declared.TEXT
                            : EventBodies.Declared.NOTHING;
                })
                .orElse(EventBodies.Declared.NOTHING);
    }

    private static long declaredLength(ServerRequest req) {
        return req.headers()
                .first(HeaderNames.CONTENT_LENGTH)
                .map(Long::parseLong)
                .orElse(-1L);
    }
}
