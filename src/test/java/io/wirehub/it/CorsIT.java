package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirehub.app.WireHub;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Browsers on the listed origins may call the API (with cookies); others get no CORS header and no WebSocket. */
class CorsIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String APP = "https://app.example.com";
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        hub = TestHubs.start(
                Map.of("WH_CORS_ALLOWED_ORIGINS", APP + ", http://localhost:3000", "WH_AUTH_COOKIE_NAME", "wh_token"));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void aPreflightFromAnAllowedOriginGetsTheMethodsAndHeaders() throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/topics/t/events"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", APP)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, response.statusCode());
        assertEquals(
                APP,
                response.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals(
                "true",
                response.headers()
                        .firstValue("Access-Control-Allow-Credentials")
                        .orElse(null));
        assertEquals(
                "GET, POST, OPTIONS",
                response.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
        assertEquals(
                "Authorization, Content-Type, Idempotency-Key, Last-Event-ID",
                response.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
    }

    @Test
    void anAllowedOriginsResponseNamesItAndAnotherOriginsDoesNot() throws Exception {
        HttpResponse<String> allowed = get("/v1/topics/t/snapshot", APP);
        assertEquals(
                APP, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> other = get("/v1/topics/t/snapshot", "https://evil.example");
        assertFalse(
                other.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                "the browser keeps it from the page");
    }

    @Test
    void aWebSocketFromAnotherOriginIsRefused() {
        URI uri = URI.create("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=t");
        CompletionException refused = assertThrows(CompletionException.class, () -> CLIENT.newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .buildAsync(uri, new WebSocket.Listener() {})
                .join());
        assertEquals(
                403,
                ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
        CLIENT.newWebSocketBuilder()
                .header("Origin", APP)
                .buildAsync(uri, new WebSocket.Listener() {})
                .join()
                .abort();
    }

    @Test
    void anyOriginIsAnsweredWithoutCredentials() throws Exception {
        try (WireHub open = TestHubs.start(Map.of("WH_CORS_ALLOWED_ORIGINS", "*"))) {
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(TestHubs.base(open) + "/v1/topics/t/snapshot"))
                            .header("Origin", "https://evil.example")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(
                    "*",
                    response.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertFalse(response.headers()
                    .firstValue("Access-Control-Allow-Credentials")
                    .isPresent());
        }
        assertThrows(
                InvalidSettingsException.class,
                () -> TestHubs.start(Map.of("WH_CORS_ALLOWED_ORIGINS", "*", "WH_AUTH_COOKIE_NAME", "wh_token")),
                "any origin with the user's cookie is refused at start");
    }

    private static HttpResponse<String> get(String path, String origin) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Origin", origin)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
