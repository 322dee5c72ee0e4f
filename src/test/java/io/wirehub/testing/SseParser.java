package io.wirehub.testing;

import io.wirehub.testing.SseClient.SseEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The test clients' one SSE parser, as EventSource parses a stream (WHATWG HTML, "Server-sent
 * events"): fields {@code id}, {@code event}, {@code data} (several lines joined by LF) and
 * {@code retry}; comments ignored; an event is dispatched at the blank line when it has data, and
 * the last id carries over to the events after it.
 */
final class SseParser {
    private SseParser() {}

    /** Reads the body until it ends (or fails: the caller's stream was closed), reporting each event and each retry. */
    static void read(InputStream body, Consumer<SseEvent> events, LongConsumer retries) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.accept(new SseEvent(id, event, data.toString()));
                    }
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "retry" -> retries.accept(Long.parseLong(value));
                    case "data" ->
                        data = data == null
                                ? new StringBuilder(value)
                                : data.append('\n').append(value);
                    default -> {}
                }
            }
        }
    }
}
