package io.wirehub.event;

/**
 * WebSocket text payloads: one JSON object per event,
 * {@code {"topic":"a","seq":17,"id":"<cursor>","event":"x","data":<data>}}.
 *
 * <p>The data is embedded as JSON when it was published as JSON, else as a JSON string. Only the
 * {@code id} differs between subscribers (it is each stream's cursor), so everything after it is
 * built once per event ({@link Event#wsTail()}).
 */
public final class WsFrames {
    private WsFrames() {}

    public static String message(Event event, String cursorToken) {
        String tail = event.wsTail();
        StringBuilder out = new StringBuilder(tail.length() + event.topic().length() + cursorToken.length() + 40);
        out.append("{\"topic\":\"").append(event.topic()).append("\",\"seq\":").append(event.seq());
        out.append(",\"id\":");
        JsonStrings.quote(out, cursorToken);
        return out.append(tail).toString();
    }

    static String tail(Event event) {
        StringBuilder out = new StringBuilder(event.data().length() + 32);
        if (event.type() != null) {
            out.append(",\"event\":\"").append(event.type()).append('"');
        }
        out.append(",\"data\":");
        if (event.json()) {
            out.append(event.data());
        } else {
            JsonStrings.quote(out, event.data());
        }
        return out.append('}').toString();
    }
}
