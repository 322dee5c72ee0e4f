package io.wirehub.http;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.Grant;
import io.wirehub.event.Event;
import io.wirehub.event.JsonStrings;
import io.wirehub.event.Names;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * {@code GET /v1/topics/{topic}/snapshot?limit=N}: the topic's latest seq and its last N events,
 * for a client that got a reset (or starts up) and must re-hydrate. The client then applies live
 * events with a seq above the snapshot's {@code seq}.
 */
public final class TopicService {
    // Caps what one request can make the store read: a denial-of-service guard.
    static final int MAX_SNAPSHOT_LIMIT = 1000;
    static final int DEFAULT_SNAPSHOT_LIMIT = 100;
    // Caps what one request reads and builds: 1000 events of 64 KB would be 64 MB read from the
    // store and a 64 MB string per request. The store stops at the bytes of event data, so rows
    // past it are never fetched; the body is cut again at the characters, for the JSON around
    // each event and its escaping. The newest events that fit are sent (always the newest one),
    // with "truncated": true.
    static final int MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024;
    static final int MAX_SNAPSHOT_CHARS = MAX_SNAPSHOT_BYTES;

    private final EventStore store;
    private final Guard guard;

    public TopicService(EventStore store, Guard guard) {
        this.store = store;
        this.guard = guard;
    }

    public void snapshot(ServerRequest req, ServerResponse res) {
        Grant grant = guard.reader(req.prologue(), req.headers());
        String topic = req.path().pathParameters().get("topic");
        if (!Names.isValidTopic(topic)) {
            throw ApiError.badRequest(
                    EventBodies.INVALID_TOPIC, "the topic in the path is not valid; use " + Names.TOPIC_RULE);
        }
        grant.requireSubscribe(List.of(topic)); // a snapshot is read like the live stream
        int limit = limit(req.query().first("limit").orElse(null));
        Snapshot snapshot = store.snapshot(topic, limit, MAX_SNAPSHOT_BYTES);
        // The newest events first, until the next would pass the cap; then sent oldest first.
        ArrayDeque<String> fragments = new ArrayDeque<>();
        long chars = 0;
        List<Event> events = snapshot.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            String fragment = fragment(events.get(i));
            chars += fragment.length() + 1;
            if (chars > MAX_SNAPSHOT_CHARS && !fragments.isEmpty()) {
                break;
            }
            fragments.addFirst(fragment);
        }
        StringBuilder out = new StringBuilder((int) Math.min(chars, MAX_SNAPSHOT_CHARS) + 256)
                .append("{\"topic\":\"")
                .append(topic)
                .append("\",\"seq\":")
                .append(snapshot.seq());
        if (snapshot.truncated() || fragments.size() < events.size()) {
            out.append(",\"truncated\":true"); // NOTE: clients read it: older events were left out to fit
        }
        Json.send(
                res,
                out.append(",\"events\":[")
                        .append(String.join(",", fragments))
                        .append("]}")
                        .toString());
    }

    private static String fragment(Event event) {
        StringBuilder out = new StringBuilder(event.data().length() + 80)
                .append("{\"seq\":")
                .append(event.seq());
        if (event.type() != null) {
            out.append(",\"event\":\"").append(event.type()).append('"');
        }
        out.append(",\"time\":\"")
                .append(Instant.ofEpochMilli(event.timeMillis()))
                .append("\",\"data\":");
        if (event.json()) {
            out.append(event.data());
        } else {
            JsonStrings.quote(out, event.data());
        }
        return out.append('}').toString();
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_SNAPSHOT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_SNAPSHOT_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.badRequest("invalid_limit", "limit must be a whole number from 1 to " + MAX_SNAPSHOT_LIMIT);
    }
}
