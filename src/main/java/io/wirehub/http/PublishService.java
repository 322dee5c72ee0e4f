package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.Grant;
import io.wirehub.event.Event;
import io.wirehub.event.Names;
import io.wirehub.event.NewEvent;
import io.wirehub.hub.Publisher;
import java.util.List;

/**
 * {@code POST /v1/topics/{topic}/events} (one event, the body is its data) and
 * {@code POST /v1/events} (a batch, all or nothing). A 201 means the events are stored.
 */
public final class PublishService implements HttpService {
    private final Publisher publisher;
    private final Guard guard;
    private final EventBodies bodies;

    public PublishService(Publisher publisher, Guard guard, int maxEventBytes, int maxBatchBytes, int maxBatchEvents) {
        this.publisher = publisher;
        this.guard = guard;
        this.bodies = new EventBodies(maxEventBytes, maxBatchBytes, maxBatchEvents);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/topics/{topic}/events", this::publishOne);
        rules.post("/v1/events", this::publishBatch);
    }

    private void publishOne(ServerRequest req, ServerResponse res) throws Exception {
        Grant grant = guard.publisher(req.headers());
        String topic = req.path().pathParameters().get("topic");
        if (Names.isValidTopic(topic)) {
            grant.requirePublish(List.of(topic)); // before the body is read: a refused client costs no upload
        }
        boolean declaredJson = req.headers().contentType()
                .map(type -> type.mediaType().subtype().equals("json") || type.mediaType().subtype().endsWith("+json"))
                .orElse(false);
        NewEvent event = bodies.single(topic, req.query().first("event").orElse(null),
                req.content().inputStream(), declaredLength(req), declaredJson);
        Event stored = publisher.publish(List.of(event)).getFirst();
        res.status(Status.CREATED_201);
        Json.send(res, ack(stored));
    }

    private void publishBatch(ServerRequest req, ServerResponse res) throws Exception {
        Grant grant = guard.publisher(req.headers());
        List<NewEvent> events = bodies.batch(req.content().inputStream(), declaredLength(req));
        grant.requirePublish(events.stream().map(NewEvent::topic).toList()); // all or nothing, like the batch
        List<Event> stored = publisher.publish(events);
        StringBuilder out = new StringBuilder(stored.size() * 40).append("{\"events\":[");
        for (int i = 0; i < stored.size(); i++) {
            out.append(i == 0 ? "" : ",").append(ack(stored.get(i)));
        }
        res.status(Status.CREATED_201);
        Json.send(res, out.append("]}").toString());
    }

    private static String ack(Event event) {
        return "{\"topic\":\"" + event.topic() + "\",\"seq\":" + event.seq() + "}";
    }

    private static long declaredLength(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_LENGTH).map(Long::parseLong).orElse(-1L);
    }
}
