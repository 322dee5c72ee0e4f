package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/client.js}: the client from src/main/js, importable from any origin, cached and revalidated. */
class ClientScriptIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theClientIsServedAsAModuleAnyOriginMayImportWithoutAToken() throws Exception {
        // jwt: the script needs no token; an origin list that does not name the page's origin still lets it import.
        Map<String, String> env = Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                "a-test-secret-of-at-least-32-bytes!!",
                "WH_CORS_ALLOWED_ORIGINS",
                "https://app.example");
        try (WireHub hub = TestHubs.start(env)) {
            URI script = URI.create(TestHubs.base(hub) + "/v1/client.js");
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(script)
                            .header("Origin", "https://elsewhere.example")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
            assertEquals(
                    Files.readString(Path.of("src/main/js/wirehub.js")), res.body(), "the client as it is in the repo");
            assertEquals(
                    "text/javascript; charset=utf-8",
                    res.headers().firstValue("Content-Type").orElse(null));
            assertEquals(
                    "*",
                    res.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                    "a module script is fetched with CORS");
            assertEquals(
                    "public, max-age=300",
                    res.headers().firstValue("Cache-Control").orElse(null));
            String etag = res.headers().firstValue("ETag").orElseThrow();

            HttpResponse<String> again = HTTP.send(
                    HttpRequest.newBuilder(script).header("If-None-Match", etag).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(304, again.statusCode(), "revalidated by its ETag");
            assertTrue(again.body().isEmpty());

            HttpResponse<String> types = HTTP.send(
                    HttpRequest.newBuilder(URI.create(TestHubs.base(hub) + "/v1/client.d.ts"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, types.statusCode());
            assertTrue(
                    types.body().contains("export declare function connect(options: ConnectOptions): Client;"),
                    types.body());
        }
    }
}
