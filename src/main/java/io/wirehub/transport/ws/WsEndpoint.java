package io.wirehub.transport.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.wirehub.auth.AuthException;
import io.wirehub.auth.Grant;
import io.wirehub.event.JsonStrings;
import io.wirehub.event.Names;
import io.wirehub.http.ApiError;
import io.wirehub.http.ConnectionLimit;
import io.wirehub.http.ConnectionWatch;
import io.wirehub.http.Cors;
import io.wirehub.http.ErrorResponses;
import io.wirehub.http.Guard;
import io.wirehub.http.PublishGate;
import io.wirehub.http.StreamQuota;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Hub;
import io.wirehub.hub.Subscriber;
import io.wirehub.hub.Transport;
import io.wirehub.publish.IdempotentPublisher;
import io.wirehub.transport.StreamRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/ws?topic=a&topic=b}: the same stream over WebSocket, one per connection.
 *
 * <p>Helidon calls this listener on the connection's reader thread. The stream takes its position
 * in {@code onHttpUpgrade}, before the {@code 101} goes out, so every event published after the
 * client's {@code open} reaches it (the first message, {@code ready}, names each topic's seq).
 * {@code onOpen} must not block, so the subscriber drains on a virtual thread of its own
 * ({@code ws-<id>}). The token is checked first (docs/security.md), then the topics; a subscribe
 * op for a topic the token does not permit gets an {@code error} {@code forbidden} and changes
 * nothing. A request that fails auth or validation is not upgraded: it falls through to
 * {@link WsRequestRoute}, which answers the same JSON 400 as SSE; a store that cannot say where
 * the topics are gives 503.
 *
 * <p>Why two virtual threads per stream, where SSE has one: Helidon's {@code WsConnection} (4.2.3, and 4.5.0 alike)
 * calls {@code onOpen} and then, on the same thread, blocks in its frame reader for the life of
 * the connection; every callback runs there, and the socket behind its {@code DataReader} is a
 * blocking one that cannot be waited on together with the queue. Draining on that thread
 * (running the loop inside {@code onOpen}) would leave pongs, subscribe messages and the client's
 * close unread, so the pong deadline would close every stream; writing from the publishing thread
 * would make the hub wait on slow clients. A drain thread started per batch instead of a parked
 * one would save only the parked stack (a few KB of an idle stream's ~20 KB, docs/deployment.md),
 * at the price of a thread start per batch and a moving target for the interrupt that cuts off a
 * stuck write ({@code DrainThread}). So the drain thread stays.
 *
 * <p>Client messages: {@code {"op":"subscribe","topic":"c"}} and {@code {"op":"unsubscribe",...}},
 * applied in the order received; {@code {"op":"publish","topic":..,"data":..,"id_key":..}},
 * stored through the same {@link PublishGate} as a POST (publish claim, rate limit, overload,
 * idempotency) and answered {@code {"op":"published","topic":..,"seq":..}}. Anything else (or
 * longer than the message cap) is answered with {@code {"op":"error","error":..,"message":..}}:
 * another op with {@code unknown_op} naming the ops. An error names the {@code topic} and
 * {@code id_key} of the message it answers, so a client can tell which one failed.
 *
 * <p>A publish runs on the reader thread, so publishes are stored and answered in the order sent,
 * and a client that sends faster than they store is slowed by TCP, not buffered here. Meanwhile
 * the connection's other messages wait: at most {@code publish.overload_wait} for room, or a
 * store's timeout, both far inside the pong deadline. The reader thread is the only one that
 * touches this listener's fields.
 */
public final class WsEndpoint implements WsListener {
    private static final JsonFactory JSON = new JsonFactory();
    private static final System.Logger LOG = System.getLogger(WsEndpoint.class.getName());
    // Subscribe and unsubscribe are small commands; a publish op carries an event, so the cap is
    // this plus twice server.max_event_bytes (room for JSON escapes). A longer message is dropped
    // as it arrives, not buffered (memory guard).
    static final int MAX_CLIENT_MESSAGE = 4096;
    // NOTE: the client ops and the error code for any other one; clients depend on both.
    private static final List<String> OPS = List.of("subscribe", "unsubscribe", "publish");
    private static final String UNKNOWN_OP = "unknown_op";

    private static final HeaderName WS_KEY = HeaderNames.create("Sec-WebSocket-Key");

    private final Hub hub;
    private final Guard guard;
    private final PublishGate publishes;
    private final int maxMessage;
    private boolean mayPublish; // false for a token from a cookie when any origin may open a WebSocket
    private String peerHost;
    private final Cors cors;
    private final ConnectionLimit connections;
    private final StreamQuota quota;
    private StreamQuota.Permit permit; // this stream's place in the quota, from the upgrade until the drain thread ends
    private final int maxTopics;
    private final String storeEpoch;
    private Grant grant;
    private StreamRequest request;
    private WsSink sink;
    private Subscriber subscriber;
    private final StringBuilder partial = new StringBuilder();
    private boolean discarding; // the message being received is too long: dropped to its end
    private final Set<String> requested = new HashSet<>(); // topics asked for, applied or not yet

    public WsEndpoint(
            Hub hub,
            Guard guard,
            PublishGate publishes,
            Cors cors,
            ConnectionLimit connections,
            StreamQuota quota,
            int maxTopics,
            String storeEpoch) {
        this.publishes = publishes;
        this.maxMessage = MAX_CLIENT_MESSAGE + 2 * publishes.maxEventBytes();
        this.quota = quota;
        this.hub = hub;
        this.guard = guard;
        this.cors = cors;
        this.connections = connections;
        this.maxTopics = maxTopics;
        this.storeEpoch = storeEpoch;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (!cors.allows(headers.first(HeaderNames.ORIGIN).orElse(null))) {
            throw RequestException.builder()
                    .type(DirectHandler.EventType.FORBIDDEN)
                    .status(Status.FORBIDDEN_403)
                    .message("this Origin may not open a WebSocket here (server.cors.allowed_origins)")
                    .build();
        }
        if (connections.full()) {
            throw new WsUpgradeException("server.max_connections reached"); // the HTTP route answers 503
        }
        // Authorised before the stream takes its position: a refused client joins no topic.
        try {
            grant = guard.reader(prologue, headers);
            request = WsRequestRoute.parse(prologue.query(), maxTopics, storeEpoch);
            grant.requireSubscribe(request.topics());
            // Cross-site WebSocket hijacking: any page may open a WebSocket that carries the user's
            // cookie, and only an origin list keeps foreign pages out. Reading with it is the
            // operator's choice (docs/security.md); publishing with it is not allowed then.
            mayPublish = !guard.tokenFromCookie(prologue, headers) || cors.restrictsOrigins();
        } catch (ApiError | AuthException e) {
            throw new WsUpgradeException(e.getMessage()); // WsRequestRoute answers it in JSON
        }
        if (!validKey(headers)) {
            // Helidon checks the key only after this method: refuse it before any stream is made.
            throw RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .message("Invalid Sec-WebSocket-Key header")
                    .build();
        }
        try {
            permit = quota.acquire(grant.subject(), ConnectionWatch.currentPeerHost());
        } catch (ApiError e) {
            throw new WsUpgradeException(e.getMessage()); // WsRequestRoute answers it: 429 too_many_streams
        }
        sink = new WsSink(storeEpoch);
        subscriber = hub.subscriber(
                Transport.WS,
                request.topics(),
                request.resumeFrom(),
                request.unknownCursors(),
                sink,
                grant.lifetime(Instant.now()));
        try {
            subscriber.position();
        } catch (IOException | RuntimeException e) { // closed already: it never saw the topics' positions
            permit.close();
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.SERVICE_UNAVAILABLE_503)
                    .message("the stream cannot be positioned now (event store unavailable); retry shortly")
                    .build();
        }
        return Optional.empty();
    }

    /** RFC 6455: the key is 16 random bytes in base64. */
    private static boolean validKey(Headers headers) {
        String key = headers.first(WS_KEY).orElse("");
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void onOpen(WsSession session) {
        requested.addAll(request.topics());
        sink.attach(session);
        PeerInfo peer = session.socketContext().remotePeer();
        peerHost = peer.host();
        subscriber.remoteAddress(peer.host() + ":" + peer.port());
        subscriber.upgradeCompleted(); // before the thread starts: it may wait for a carrier for seconds
        Thread.ofVirtual().name("ws-" + subscriber.id()).start(() -> {
            try {
                subscriber.run();
            } finally {
                permit.close();
            }
        });
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        discarding |= partial.length() + text.length() > maxMessage;
        if (!discarding) {
            partial.append(text);
        }
        if (!last) {
            return;
        }
        String message = partial.toString();
        boolean tooLong = discarding;
        partial.setLength(0);
        if (partial.capacity() > MAX_CLIENT_MESSAGE) {
            partial.trimToSize(); // an idle stream does not keep a publish's worth of buffer
        }
        discarding = false;
        ClientOp named = tooLong ? ClientOp.NONE : ClientOp.peek(message);
        try {
            if (tooLong) {
                throw ApiError.badRequest(
                        "message_too_large",
                        "client messages are at most " + maxMessage
                                + " characters (4096 plus twice server.max_event_bytes)");
            }
            if ("publish".equals(named.op())) {
                publish(message, named);
            } else {
                handle(message);
            }
        } catch (ApiError e) {
            reply(named.error(e));
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        try {
            sink.pong(buffer);
        } catch (IOException e) {
            subscriber.close(CloseReason.CLIENT_GONE);
        }
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        subscriber.heartbeatAcknowledged();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (subscriber != null) {
            subscriber.close(CloseReason.CLIENT_CLOSED);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (subscriber != null) {
            subscriber.close(CloseReason.CLIENT_GONE);
        }
    }

    private void handle(String message) {
        String op = null;
        String topic = null;
        try (JsonParser parser = JSON.createParser(message)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalidMessage();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_STRING) {
                    throw invalidMessage();
                }
                switch (field) {
                    case "op" -> op = parser.getText();
                    case "topic" -> topic = parser.getText();
                    default -> throw invalidMessage();
                }
            }
        } catch (IOException e) {
            throw invalidMessage();
        }
        if (op == null) {
            throw invalidMessage();
        }
        if (!OPS.contains(op)) { // before the topic: a client with a new op's name must not hear its topic is wrong
            throw ApiError.badRequest(
                    UNKNOWN_OP,
                    "unknown op '" + op + "'; the ops are " + String.join(", ", OPS.subList(0, OPS.size() - 1))
                            + " and " + OPS.getLast());
        }
        if (!Names.isValidTopic(topic)) {
            throw ApiError.badRequest(StreamRequest.INVALID_TOPIC, "'topic' must be " + Names.TOPIC_RULE);
        }
        if ("subscribe".equals(op)) {
            if (!grant.maySubscribe(topic)) {
                throw new ApiError(
                        403,
                        AuthException.FORBIDDEN,
                        "the token does not permit subscribing to topic '" + topic
                                + "'; its wirehub.subscribe claim must match it");
            }
            if (requested.size() >= maxTopics && !requested.contains(topic)) {
                throw ApiError.badRequest(
                        StreamRequest.TOO_MANY_TOPICS,
                        "at most " + maxTopics + " topics per stream (server.max_topics_per_stream)");
            }
            requested.add(topic);
            subscriber.follow(topic);
        } else {
            requested.remove(topic);
            subscriber.unfollow(topic);
        }
    }

    private static ApiError invalidMessage() {
        return ApiError.badRequest(
                "invalid_message",
                "send {\"op\":\"subscribe\",\"topic\":\"name\"}, {\"op\":\"unsubscribe\",\"topic\":\"name\"}"
                        + " or {\"op\":\"publish\",\"topic\":\"name\",\"data\":..,\"id_key\":\"a UUID\"}");
    }

    // NOTE: {"op":"published","topic":"c","seq":8,"id_key":"k"} (with "replayed":true when the key had published
    // already).
    private void publish(String message, ClientOp named) {
        if (!mayPublish) {
            throw new ApiError(
                    403,
                    AuthException.FORBIDDEN,
                    "this WebSocket's token came from a cookie and any origin may open one"
                            + " (server.cors.allowed_origins is empty): publish with the token in the access_token parameter or the"
                            + " Authorization header, or over POST /v1/topics/{topic}/events");
        }
        if (Duration.ZERO.equals(grant.lifetime(Instant.now()))) {
            throw new ApiError(
                    401, AuthException.UNAUTHORIZED, "the token expired; reconnect with a fresh token and lastEventId");
        }
        IdempotentPublisher.Result stored;
        try {
            stored = publishes.publishOp(grant, peerHost, message, System.nanoTime());
        } catch (AuthException e) {
            throw new ApiError(e.status(), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            ApiError refusal = ErrorResponses.publishRefusal(e);
            if (refusal == null) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error on a WebSocket publish", e);
                throw new ApiError(
                        500,
                        "internal_error",
                        "unexpected server error; it is logged. Retry, and report it if it persists");
            }
            throw refusal;
        }
        StringBuilder out = new StringBuilder(80)
                .append("{\"op\":\"published\",\"topic\":\"")
                .append(stored.topic())
                .append("\",\"seq\":")
                .append(stored.seq());
        if (named.idKey() != null) {
            JsonStrings.quote(out.append(",\"id_key\":"), named.idKey());
        }
        if (stored.replayed()) {
            out.append(",\"replayed\":true");
        }
        reply(out.append('}').toString());
    }

    private void reply(String json) {
        try {
            sink.sendText(json);
        } catch (IOException e) {
            subscriber.close(CloseReason.CLIENT_GONE);
        }
    }
}
