package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Plain HTTP calls a client would make, with the JSON body parsed. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // No test waits forever for an answer: a request a server left unanswered fails the call (an
    // UncheckedIOException) after this, far above any answer a test expects on a loaded machine.
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private Http() {}

    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    public static Response post(String url, String body) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .timeout(ANSWER_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    public static Response post(String url, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .timeout(ANSWER_TIMEOUT)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    public static Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .timeout(ANSWER_TIMEOUT)
                .GET()
                .build());
    }

    /** Publishes one event and returns its seq, failing the test unless the server answered 201. */
    public static long publish(String base, String topic, String data) {
        Response response = post(base + "/v1/topics/" + topic + "/events", data);
        if (response.status() != 201) {
            throw new AssertionError("publish to " + topic + " answered " + response.status() + ": " + response.body());
        }
        return response.json().get("seq").asLong();
    }

    /** The same with a bearer token (auth.mode jwt). */
    public static long publish(String base, String topic, String data, String token) {
        Response response = send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(data))
                .build());
        if (response.status() != 201) {
            throw new AssertionError("publish to " + topic + " answered " + response.status() + ": " + response.body());
        }
        return response.json().get("seq").asLong();
    }

    /** One batch ({@code POST /v1/events}) of one event per topic, each with the same data string. */
    public static Response publishToEach(String base, List<String> topics, String data) {
        StringBuilder batch = new StringBuilder("[");
        for (String topic : topics) {
            batch.append(batch.length() == 1 ? "" : ",")
                    .append("{\"topic\":\"")
                    .append(topic)
                    .append("\",\"data\":\"")
                    .append(data)
                    .append("\"}");
        }
        return post(base + "/v1/events", batch.append(']').toString());
    }

    public static JsonNode stats(String base) {
        return get(base + "/v1/stats").json();
    }

    public static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
