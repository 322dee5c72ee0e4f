package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Sends a JSON body. Responses are small and fixed in shape, so they are written as text. Each
 * ends with a newline, as a text response should: curl's output then does not run into the shell
 * prompt, and JSON parsers skip it.
 */
public final class Json {
    private Json() {}

    public static void send(ServerResponse res, String json) {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json"));
        res.send((json + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
