package io.wirehub.transport.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.wirehub.event.JsonStrings;
import io.wirehub.event.Names;
import io.wirehub.http.ApiError;
import java.io.IOException;

/**
 * What a client message names, read before it is applied: its op (which decides how the rest is
 * read: a publish carries any JSON as its data), and the topic and idempotency key that an error
 * answer echoes, so that a client with several messages in flight knows which one failed.
 *
 * @param op the message's {@code op}, or null when it has none or is not a JSON object
 * @param topic its {@code topic} when that is a valid topic name, else null
 * @param idKey its {@code id_key} when that is a valid key (1 to 200 printable ASCII), else null
 */
record ClientOp(String op, String topic, String idKey) {
    static final ClientOp NONE = new ClientOp(null, null, null);
    private static final JsonFactory JSON = new JsonFactory();

    static ClientOp peek(String message) {
        String op = null;
        String topic = null;
        String idKey = null;
        try (JsonParser parser = JSON.createParser(message)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    switch (field) {
                        case "op" -> op = parser.getText();
                        case "topic" -> topic = parser.getText();
                        case "id_key" -> idKey = parser.getText();
                        default -> {}
                    }
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            return NONE; // applying it says what is wrong
        }
        return new ClientOp(
                op,
                Names.isValidTopic(topic) ? topic : null,
                idKey != null && idKey.matches("[\\x21-\\x7e]{1,200}") ? idKey : null);
    }

    // NOTE: {"op":"error","error":..,"message":..,"topic":..,"id_key":..,"retry_after":1}; the last three when known.
    String error(ApiError e) {
        StringBuilder out = new StringBuilder(160)
                .append("{\"op\":\"error\",\"error\":\"")
                .append(e.code())
                .append("\",\"message\":");
        JsonStrings.quote(out, e.getMessage());
        if (topic != null) {
            out.append(",\"topic\":\"").append(topic).append('"');
        }
        if (idKey != null) {
            JsonStrings.quote(out.append(",\"id_key\":"), idKey);
        }
        if (e.retryAfterSeconds() > 0) {
            out.append(",\"retry_after\":").append(e.retryAfterSeconds());
        }
        return out.append('}').toString();
    }
}
