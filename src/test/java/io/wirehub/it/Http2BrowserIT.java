package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.HeadlessChromium;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestCertificates;
import io.wirehub.testing.TestHubs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What HTTP/2 changes for a browser, in a real headless chromium: a page of another origin opens 12
 * EventSources to one wirehub. Over https (HTTP/2, one connection) all 12 receive events; over
 * cleartext HTTP/1.1 the browser's cap of 6 connections per host leaves the other 6 waiting.
 */
@Slow
class Http2BrowserIT {
    private static final int STREAMS = 12;
    private static final String PAGE = """
            <!doctype html><meta charset="utf-8"><title>12 streams</title>
            <script>
            const hub = new URLSearchParams(location.search).get('hub');
            window.received = new Array(%d).fill(0);
            for (let i = 0; i < received.length; i++) {
              new EventSource(hub + '/v1/sse?topic=tab.' + i).onmessage = () => received[i]++;
            }
            </script>""".formatted(STREAMS);

    @TempDir
    Path dir;

    @Test
    void twelveEventSourcesOfOnePageAllReceiveOverHttpsWhereCleartextHttp1StopsAtSix() throws Exception {
        if (HeadlessChromium.path() == null) {
            System.err.println(
                    "SKIPPED Http2BrowserIT: no chromium (apt-get install chromium); HTTP/2 was not tested in a browser");
        }
        Assumptions.assumeTrue(HeadlessChromium.path() != null, "no chromium installed: apt-get install chromium");
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        String pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        TestCertificates.Pem pem = TestCertificates.create(dir, "browser-test");
        TestCertificates.Client tls = TestCertificates.client();
        HttpClient publisher = HttpClient.newBuilder().sslContext(tls.context()).build();
        try (WireHub secure = TestHubs.start(Map.of(
                        "WH_CORS_ALLOWED_ORIGINS",
                        pageOrigin,
                        "WH_SERVER_TLS_CERT_FILE",
                        pem.cert().toString(),
                        "WH_SERVER_TLS_KEY_FILE",
                        pem.key().toString()));
                WireHub clear = TestHubs.start(Map.of("WH_CORS_ALLOWED_ORIGINS", pageOrigin));
                HeadlessChromium browser = new HeadlessChromium(800, 600, List.of("--ignore-certificate-errors"))) {
            String https = "https://127.0.0.1:" + secure.port();
            browser.open(pageOrigin + "/?hub=" + https);
            assertEquals(
                    STREAMS, receiving(browser, publisher, https, STREAMS), "over HTTP/2 every EventSource receives");
            assertEquals(STREAMS, secure.hub().stats().subscribers());

            String http = TestHubs.base(clear);
            browser.open(pageOrigin + "/?hub=" + http);
            assertEquals(
                    6,
                    receiving(browser, publisher, http, 6),
                    "over HTTP/1.1 the browser opens 6 connections per host");
            assertEquals(6, clear.hub().stats().subscribers(), "the other 6 EventSources never reached the server");
        } finally {
            pages.stop(0);
        }
    }

    /**
     * Publishes to every tab's topic until {@code expected} EventSources have received, then one
     * more round as a marker: once the receiving ones have it, a waiting EventSource that had got
     * through would have it too. Returns how many received.
     */
    private static int receiving(HeadlessChromium browser, HttpClient publisher, String hub, int expected) {
        Eventually.await(expected + " EventSources receiving", Duration.ofSeconds(30), () -> {
            publishToEveryTab(publisher, hub);
            int now = count(browser);
            return now >= expected ? null : now + " receiving";
        });
        int before = evaluate(browser, "received.reduce((a, n) => a + n, 0)");
        publishToEveryTab(publisher, hub);
        Eventually.await("the marker round received", Duration.ofSeconds(30), () -> {
            int events = evaluate(browser, "received.reduce((a, n) => a + n, 0)");
            return events >= before + expected ? null : (events - before) + " of the round received";
        });
        return count(browser);
    }

    private static int evaluate(HeadlessChromium browser, String expression) {
        try {
            return browser.evaluate(expression).asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(HeadlessChromium browser) {
        return evaluate(browser, "received.filter(n => n > 0).length");
    }

    private static void publishToEveryTab(HttpClient publisher, String hub) {
        try {
            for (int i = 0; i < STREAMS; i++) {
                publisher.send(
                        HttpRequest.newBuilder(URI.create(hub + "/v1/topics/tab." + i + "/events"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
