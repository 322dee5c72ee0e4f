package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.hub.Publisher;
import java.util.List;

/**
 * {@code POST /v1/topics/{topic}/events} (one event, the body is its data) and
 * {@code POST /v1/events} (a batch, all or nothing). A 201 means the events are stored.
 */
public final class PublishService implements HttpService {
    private final Publisher publisher;
    private final EventBodies bodies;

    public PublishService(Publisher publisher, int maxEventBytes, int maxBatchBytes, int maxBatchEvents) {
        this.publisher = publisher;
        this.bodies = new EventBodies(maxEventBytes, maxBatchBytes, maxBatchEvents);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/topics/{topic}/events", measured(this::publishOne));
        rules.post("/v1/events", measured(this::publishBatch));
    }

    /**
     * Takes the arrival time (the start of each event's publish→flush latency) and counts a
     * refused request by its error code.
     */
    private Handler measured(Publish publish) {
        return (req, res) -> {
            long arrived = System.nanoTime();
            try {
                publish.handle(req, res, arrived);
            } catch (ApiError e) {
                publisher.refused(e.code());
                throw e;
            }
        };
    }

    @FunctionalInterface
    private interface Publish {
        void handle(ServerRequest req, ServerResponse res, long arrivedNanos) throws Exception;
    }

    private void publishOne(ServerRequest req, ServerResponse res, long arrived) throws Exception {
        boolean declaredJson = req.headers().contentType()
                .map(type -> type.mediaType().subtype().equals("json") || type.mediaType().subtype().endsWith("+json"))
                .orElse(false);
        NewEvent event = bodies.single(req.path().pathParameters().get("topic"), req.query().first("event").orElse(null),
                req.content().inputStream(), declaredLength(req), declaredJson);
        Event stored = publisher.publish(List.of(event), arrived).getFirst();
        res.status(Status.CREATED_201);
        Json.send(res, ack(stored));
    }

    private void publishBatch(ServerRequest req, ServerResponse res, long arrived) throws Exception {
        List<NewEvent> events = bodies.batch(req.content().inputStream(), declaredLength(req));
        List<Event> stored = publisher.publish(events, arrived);
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
