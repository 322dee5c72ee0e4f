package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.HeadlessChromium;
import io.wirehub.testing.Http;
import io.wirehub.testing.InstalledTool;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client in a real browser (the system's chromium, headless, driven over DevTools like the
 * dashboard's test): docs/client-example.html, served from an origin of its own as an app's page
 * would be, imports /v1/client.js from wirehub and receives over SSE and WebSocket, across a
 * restart of the server (the memory store's new epoch: a reset, then live events again).
 */
@Slow
class ClientBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theExamplePageReceivesOnBothTransportsAcrossAServerRestart() throws Exception {
        InstalledTool.require(
                HeadlessChromium.path() != null, "ClientBrowserIT", "no chromium (apt-get install chromium)");
        HttpServer pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        byte[] page = Files.readAllBytes(Path.of("docs", "client-example.html"));
        pages.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.start();
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        Map<String, String> env = Map.of(
                "WH_PORT",
                String.valueOf(freePort()),
                "WH_CORS_ALLOWED_ORIGINS",
                origin,
                "WH_RECONNECT_RETRY",
                "200ms");
        WireHub hub = TestHubs.start(env);
        try (HeadlessChromium browser = new HeadlessChromium(1000, 700)) {
            String base = TestHubs.base(hub);
            browser.open(origin + "/client-example.html?topic=browser&hub=" + base);
            awaitPage(
                    browser,
                    "both transports open",
                    "example.states.sse.at(-1) === 'open' && example.states.ws.at(-1) === 'open'");
            Http.publish(base, "browser", "{\"n\":1}");
            awaitPage(browser, "event 1 on both", "example.sse.length === 1 && example.ws.length === 1");
            assertEquals(1, browser.evaluate("example.sse[0].data.n").asInt());

            hub.close(); // a drain: SSE ends with retry:, the WebSocket closes with 1001
            hub = TestHubs.start(env);
            awaitPage(browser, "a reset on both (the new store's epoch)", "example.resets.length === 2");
            JsonNode resets = browser.evaluate("example.resets");
            for (JsonNode reset : resets) {
                assertEquals("unknown_cursor", reset.get("reason").asText(), resets.toString());
            }
            Http.publish(base, "browser", "{\"n\":2}");
            awaitPage(
                    browser,
                    "the event after the restart on both",
                    "example.sse.length === 2 && example.ws.length === 2");
            assertEquals(2, browser.evaluate("example.ws[1].data.n").asInt());
            assertTrue(
                    browser.evaluate("document.querySelectorAll('li').length").asInt() >= 4, "the page shows them");
        } finally {
            hub.close();
            pages.stop(0);
        }
    }

    private static void awaitPage(HeadlessChromium browser, String what, String condition) {
        Eventually.await(what, WAIT, () -> {
            try {
                return browser.evaluate("!!(window.example && (" + condition + "))")
                        .asBoolean();
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
