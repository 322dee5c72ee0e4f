package io.wirehub.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.wirehub.event.Names;
import io.wirehub.event.NewEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns request bodies into validated {@link NewEvent}s, or an {@link ApiError} that names the
 * problem (and, in a batch, the element). Nothing is stored unless the whole body is valid.
 *
 * <p>NOTE: the typing rule is public (README, API table). An event's data is JSON or text, and the
 * same value gets the same type whichever way it comes:
 * <ul>
 *   <li>one event: a body that is one whole JSON value ({@code {..}}, {@code [..]}, {@code 1},
 *       {@code true}, {@code null}, {@code "hello"}) is JSON; any other body is text.
 *       {@code Content-Type: application/json} (or {@code +json}) says it must be JSON: a body
 *       that is not is a 400. {@code text/*} says it is text, whatever it looks like. No
 *       Content-Type, or another (curl's {@code -d} sends a form type), decides by the body;
 *       broken JSON is then text, since text may well begin with a brace or a bracket
 *       ({@code [INFO] started}) and only the sender can say it meant JSON;</li>
 *   <li>a batch: {@code "data"} as a JSON string is text (its content), any other JSON value,
 *       {@code null} included, is JSON exactly as written.</li>
 * </ul>
 * Text and JSON are stored as given; a WebSocket message carries JSON as its value and text as a
 * JSON string, and SSE's {@code data:} carries either as written (the WebSocket transport's {@code WsFrames}).
 */
final class EventBodies {
    // NOTE: clients branch on these codes.
    static final String INVALID_TOPIC = "invalid_topic";
    static final String INVALID_EVENT_NAME = "invalid_event_name";
    static final String EVENT_TOO_LARGE = "event_too_large";
    static final String EMPTY_EVENT = "empty_event";
    static final String INVALID_UTF8 = "invalid_utf8";
    static final String INVALID_JSON = "invalid_json";
    static final String INVALID_BATCH = "invalid_batch";
    static final String BATCH_TOO_LARGE = "batch_too_large";
    static final String INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key";
    static final String INVALID_DATA = "invalid_data";
    static final String INVALID_BODY = "invalid_body";
    static final String INVALID_MESSAGE = "invalid_message"; // a WebSocket op that cannot be read

    private static final int MAX_NESTING = 200;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    /** What a single publish's Content-Type says of its body. */
    enum Declared {
        JSON, // application/json, application/*+json: must be JSON
        TEXT, // text/*: text, whatever it looks like
        NOTHING // no Content-Type, or another one: the body decides
    }

    private final int maxEventBytes;
    private final int maxBatchBytes;
    private final int maxBatchEvents;

    EventBodies(int maxEventBytes, int maxBatchBytes, int maxBatchEvents) {
        this.maxEventBytes = maxEventBytes;
        this.maxBatchBytes = maxBatchBytes;
        this.maxBatchEvents = maxBatchEvents;
    }

    /** One event: the body is the data, stored as given, JSON or text by the rule above. */
    NewEvent single(String topic, String eventName, InputStream in, long declaredLength, Declared declared)
            throws IOException {
        checkTopic(topic, "topic in the path");
        if (eventName != null && !Names.isValidEventName(eventName)) {
            throw ApiError.badRequest(INVALID_EVENT_NAME, "?event= must be " + Names.EVENT_RULE);
        }
        byte[] body = read(in, declaredLength, maxEventBytes, EVENT_TOO_LARGE, "server.max_event_bytes");
        if (body.length == 0) {
            throw ApiError.badRequest(
                    EMPTY_EVENT,
                    "the body is empty; send the event's data as the body "
                            + "(an EventSource ignores events without data)");
        }
        String data = utf8(body, "the body");
        checkNoNul(data, "the body");
        if (declared == Declared.TEXT) {
            return new NewEvent(topic, eventName, data, false);
        }
        String notJson = jsonProblem(data);
        if (declared == Declared.JSON && notJson != null) {
            throw ApiError.badRequest(
                    INVALID_JSON,
                    "Content-Type says application/json but the body is not one valid JSON value (" + notJson
                            + "); fix the JSON, or send the body as text with Content-Type: text/plain");
        }
        return new NewEvent(topic, eventName, data, notJson == null);
    }

    /** A parsed batch: its events, and each one's {@code id_key} (null where none). */
    record Batch(List<NewEvent> events, List<String> idKeys) {}

    /** A batch: {@code [{"topic":..,"event":..,"data":..,"id_key":..}, ...]}, all or nothing. */
    Batch batch(InputStream in, long declaredLength) throws IOException {
        byte[] body = read(in, declaredLength, maxBatchBytes, BATCH_TOO_LARGE, "server.max_batch_bytes");
        if (body.length == 0) {
            throw ApiError.badRequest(
                    INVALID_BATCH, "the body is empty; send a JSON array of {\"topic\":..,\"data\":..}");
        }
        String text = utf8(body, "the body");
        List<NewEvent> events = new ArrayList<>();
        List<String> idKeys = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw ApiError.badRequest(INVALID_BATCH, "the body must be a JSON array of {\"topic\":..,\"data\":..}");
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (events.size() == maxBatchEvents) {
                    throw new ApiError(
                            413,
                            BATCH_TOO_LARGE,
                            "more than " + maxBatchEvents + " events in one batch (server.max_batch_events); split it");
                }
                events.add(element(parser, text, "events[" + events.size() + "]", idKeys, false));
            }
            if (parser.nextToken() != null) {
                throw ApiError.badRequest(INVALID_BATCH, "unexpected content after the JSON array");
            }
        } catch (IOException e) {
            throw ApiError.badRequest(
                    INVALID_BATCH,
                    "the body is not valid JSON (near line " + lineOf(e)
                            + "); send a JSON array of {\"topic\":..,\"data\":..}");
        }
        if (events.isEmpty()) {
            throw ApiError.badRequest(INVALID_BATCH, "the batch is empty; send at least one event");
        }
        return new Batch(events, idKeys);
    }

    /**
     * A WebSocket publish op, {@code {"op":"publish","topic":..,"event":..,"data":..,"id_key":..}}:
     * one batch element with its op, checked by the same rules.
     */
    Batch publishOp(String message) {
        List<String> idKeys = new ArrayList<>(1);
        try (JsonParser parser = JSON.createParser(message)) {
            parser.nextToken();
            NewEvent event = element(parser, message, "publish", idKeys, true);
            if (parser.nextToken() != null) {
                throw ApiError.badRequest(INVALID_MESSAGE, "unexpected content after the publish op's JSON object");
            }
            return new Batch(List.of(event), idKeys);
        } catch (IOException e) {
            throw ApiError.badRequest(
                    INVALID_MESSAGE,
                    "the publish op is not valid JSON; send {\"op\":\"publish\",\"topic\":..,\"data\":..}");
        }
    }

    /** @param op whether the object may carry {@code "op":"publish"} (a WebSocket publish op) */
    private NewEvent element(JsonParser parser, String text, String where, List<String> idKeys, boolean op)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw ApiError.badRequest(
                    op ? INVALID_MESSAGE : INVALID_BATCH,
                    where + ": must be an object {\"topic\":..,\"event\":..,\"data\":..}");
        }
        String topic = null;
        String event = null;
        String data = null;
        boolean json = false;
        String idKey = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "topic" -> topic = value == JsonToken.VALUE_STRING ? parser.getText() : "";
                case "event" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        event = value == JsonToken.VALUE_STRING ? parser.getText() : "";
                        if (!Names.isValidEventName(event)) {
                            throw ApiError.badRequest(
                                    INVALID_EVENT_NAME, where + ".event: must be " + Names.EVENT_RULE);
                        }
                    }
                }
                case "data" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        data = parser.getText(); // text, as a body of text would be
                    } else {
                        data = rawValue(parser, text); // JSON as written, null too, as a body of JSON would be
                        json = true;
                    }
                }
                case "id_key" ->
                    idKey = idempotencyKey(value == JsonToken.VALUE_STRING ? parser.getText() : "", where + ".id_key");
                case "op" -> {
                    if (!op) {
                        throw ApiError.badRequest(
                                INVALID_BATCH,
                                where + ": unknown field 'op'; the fields are topic, event, data and id_key");
                    }
                }
                default ->
                    throw ApiError.badRequest(
                            op ? INVALID_MESSAGE : INVALID_BATCH,
                            where + ": unknown field '" + field + "'; the fields are " + (op ? "op, " : "")
                                    + "topic, event, data and id_key");
            }
        }
        checkTopic(topic, where + ".topic");
        if (data == null || data.isEmpty()) {
            throw ApiError.badRequest(
                    EMPTY_EVENT,
                    where + ".data: missing or the empty string; every event needs data"
                            + " (a JSON value, null included, or a non-empty string)");
        }
        checkNoNul(data, where + ".data");
        checkNoLoneSurrogate(data, where + ".data");
        if (data.getBytes(StandardCharsets.UTF_8).length > maxEventBytes) {
            throw new ApiError(
                    413,
                    EVENT_TOO_LARGE,
                    where + ".data: larger than " + maxEventBytes + " bytes (server.max_event_bytes)");
        }
        idKeys.add(idKey);
        return new NewEvent(topic, event, data, json);
    }

    /**
     * An idempotency key as given: 1 to 200 printable ASCII characters (a UUID fits), so it can
     * be stored and echoed safely.
     *
     * @param key the key, or null when the request has none
     */
    static String idempotencyKey(String key, String where) {
        if (key != null && !key.matches("[\\x21-\\x7e]{1,200}")) {
            throw ApiError.badRequest(
                    INVALID_IDEMPOTENCY_KEY,
                    where + ": an idempotency key is 1 to 200 printable ASCII"
                            + " characters without spaces, e.g. a UUID");
        }
        return key;
    }

    /** Reads at most {@code limit} bytes; a longer body is refused with 413 without storing anything. */
    private static byte[] read(InputStream in, long declaredLength, int limit, String code, String key)
            throws IOException {
        if (declaredLength > limit) {
            throw tooLarge(limit, code, key);
        }
        byte[] body;
        try {
            body = in.readNBytes(limit + 1);
        } catch (RuntimeException e) {
            // Helidon reports a malformed chunked body or a client that left mid-body this way.
            throw ApiError.badRequest(
                    INVALID_BODY,
                    "the request body could not be read (malformed chunked encoding, or cut short); send it again");
        }
        if (body.length > limit) {
            throw tooLarge(limit, code, key);
        }
        return body;
    }

    private static ApiError tooLarge(int limit, String code, String key) {
        return new ApiError(413, code, "the body is larger than " + limit + " bytes (" + key + "); send less");
    }

    private static void checkTopic(String topic, String where) {
        if (!Names.isValidTopic(topic)) {
            throw ApiError.badRequest(
                    INVALID_TOPIC,
                    where + ": " + (topic == null ? "missing" : "'" + clip(topic) + "' is not valid") + "; use "
                            + Names.TOPIC_RULE);
        }
    }

    /** PostgreSQL text cannot hold U+0000, so no store accepts it: the same answer everywhere. */
    private static void checkNoNul(String data, String where) {
        if (data.indexOf('\u0000') >= 0) {
            throw ApiError.badRequest(
                    INVALID_DATA, where + " contains a NUL character (U+0000); remove it or encode the data");
        }
    }

    /**
     * A JSON string may escape half a surrogate pair ({@code "\ud800"}), which no UTF-8 text can
     * hold: stored, it would silently become '?'. Refused instead.
     */
    private static void checkNoLoneSurrogate(String data, String where) {
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < data.length() && Character.isLowSurrogate(data.charAt(i + 1))) {
                i++; // a proper pair
            } else if (Character.isSurrogate(c)) {
                throw ApiError.badRequest(
                        INVALID_DATA,
                        where + " contains half a surrogate pair (\\u" + Integer.toHexString(c)
                                + " without its other half), which UTF-8 cannot carry; send the whole pair");
            }
        }
    }

    private static String utf8(byte[] body, String what) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest(INVALID_UTF8, what + " is not valid UTF-8; send UTF-8 text or JSON");
        }
    }

    /**
     * Null when the text is exactly one JSON value (whitespace around it allowed), else where it
     * stops being one, for the error message.
     */
    private static String jsonProblem(String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() == null) {
                return "only whitespace";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "more after the first value, at " + where(parser.currentTokenLocation());
            }
            return null;
        } catch (StreamConstraintsException e) {
            return "nested deeper than " + MAX_NESTING + " levels";
        } catch (IOException e) {
            return e instanceof JsonProcessingException p && p.getLocation() != null
                    ? "invalid at " + where(p.getLocation())
                    : "invalid";
        }
    }

    private static String where(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * The current JSON value exactly as the client wrote it (numbers keep every digit), cut from
     * the body between the value's first and last character.
     */
    private static String rawValue(JsonParser parser, String body) throws IOException {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getCharOffset();
        return body.substring(start, end);
    }

    private static String clip(String text) {
        String clipped = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }

    private static int lineOf(IOException e) {
        return e instanceof JsonProcessingException p && p.getLocation() != null
                ? p.getLocation().getLineNr()
                : 1;
    }
}
