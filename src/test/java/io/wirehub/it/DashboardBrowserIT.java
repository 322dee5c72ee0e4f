package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.HeadlessChromium;
import io.wirehub.testing.Http;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (the system's chromium, headless): its numbers and charts
 * follow what happens on the server, with auth off and under JWT (the admin token in the page's
 * URL, or in the cookie). Skips, saying so on stderr, where chromium is not installed; CI
 * installs it (.ci/run), and there a skip fails. Leaves target/dashboard.png.
 */
@Slow
class DashboardBrowserIT {
    private static final String PAYLOAD = "x".repeat(4000);
    private static final byte[] SECRET = "a-dashboard-test-secret-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
    private static final String COOKIE = "wh_token";

    @BeforeEach
    void needsChromium() {
        if (HeadlessChromium.path() == null) {
            System.err.println(
                    "SKIPPED DashboardBrowserIT: no chromium (apt-get install chromium); the dashboard was not tested in a browser");
        }
        Assumptions.assumeTrue(HeadlessChromium.path() != null, "no chromium installed: apt-get install chromium");
    }

    @SuppressWarnings("try") // the two subscribers are held open for the page to count; the stalled one is never read
    @Test
    void thePageShowsStreamsEventsAndSlowSubscribersAsTheyHappen() throws Exception {
        Map<String, String> env =
                Map.of("WH_SSE_CHANNEL_BUFFER", "8", "WH_SOCKET_SEND_BUFFER", "65536", "WH_WRITE_TIMEOUT", "60s");
        try (WireHub hub = TestHubs.start(env);
                SseClient a = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=dash.prices&topic=dash.news");
                SseClient b = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=dash.prices");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=dash.prices");
                HeadlessChromium browser = new HeadlessChromium(1280, 900)) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "three subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 3);
            browser.open(base + "/dashboard");
            awaitFrames(browser, 2);
            assertEquals("3", text(browser, "kpi-streams"), "open streams");
            assertEquals("live", text(browser, "status"));
            String quietChart = browser.evaluate("document.querySelector('#chart-throughput canvas').toDataURL()")
                    .asText();

            // About 4 s of traffic: the stalled client overflows, the others keep up.
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            for (int i = 1; System.nanoTime() < until; i++) {
                Http.publish(base, "dash.prices", i + ":" + PAYLOAD);
                Http.publish(base, "dash.news", "n" + i);
                assertNotNull(b.next(Duration.ofSeconds(2)));
            }
            int framesNow =
                    browser.evaluate("Number(document.body.dataset.frames)").asInt();
            awaitFrames(browser, framesNow + 1);

            // Both figures from one frame (one evaluation): read apart, the next frame, a quiet
            // second after the traffic, could slip in between them.
            String[] rates = browser.evaluate("document.getElementById('kpi-events').textContent + '|'"
                            + " + document.getElementById('kpi-deliveries').textContent")
                    .asText()
                    .replace(",", "")
                    .split("\\|");
            double events = Double.parseDouble(rates[0]);
            assertTrue(events > 0, "events/s: " + rates[0]);
            assertTrue(
                    Double.parseDouble(rates[1]) > events,
                    "deliveries/s exceed events/s (fan-out): " + rates[1] + " against " + rates[0]);
            assertTrue(
                    text(browser, "kpi-p99").matches("[0-9.]+ (µs|ms|s)"),
                    "a p99 is shown: " + text(browser, "kpi-p99"));
            assertNotEquals(
                    quietChart,
                    browser.evaluate("document.querySelector('#chart-throughput canvas').toDataURL()")
                            .asText(),
                    "the throughput chart moved");
            assertTrue(hub.hub().stats().overflows() > 0, "the stalled client overflowed");
            Eventually.await("the stalled client at the top of the slowest table", Duration.ofSeconds(5), () -> {
                try {
                    String firstRow = browser.evaluate("document.querySelector('#slowest tr').innerText")
                            .asText();
                    return firstRow.contains("8 / 8") && firstRow.contains("lagging");
                } catch (Exception e) {
                    return false;
                }
            });
            Path shot = Path.of("target", "dashboard.png");
            browser.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000, "a real screenshot");
        }
    }

    @Test
    void underJwtThePageGoesLiveWithTheAdminTokenInItsUrlOrInTheCookieAndSaysWhenTheTokenExpires() throws Exception {
        Map<String, String> env = Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                new String(SECRET, StandardCharsets.UTF_8),
                "WH_AUTH_COOKIE_NAME",
                COOKIE,
                "WH_AUTH_JWT_CLOCK_SKEW",
                "0s");
        String admin = admin(Instant.now().plusSeconds(3600));
        String publisher = Tokens.hs256(
                SECRET,
                Tokens.claims(
                                "app",
                                List.of("jwt.*"),
                                List.of("jwt.*"),
                                Instant.now().plusSeconds(3600))
                        .build());
        try (WireHub hub = TestHubs.start(env);
                SseClient subscriber =
                        SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=jwt.prices&access_token=" + publisher);
                HeadlessChromium browser = new HeadlessChromium(1280, 900)) {
            String base = TestHubs.base(hub);
            assertEquals(200, subscriber.status());
            assertEquals(401, Http.get(base + "/dashboard").status(), "the page needs a token");
            assertEquals(
                    403, Http.get(base + "/dashboard?access_token=" + publisher).status(), "an admin token");
            assertEquals(401, Http.get(base + "/v1/admin/stats/stream").status(), "so does its stream");
            for (String asset : List.of("dashboard.js", "dashboard.css", "uPlot.iife.min.js", "uPlot.min.css")) {
                assertEquals(200, Http.get(base + "/dashboard/" + asset).status(), asset + " needs no token");
            }
            HttpResponse<Void> page = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "/dashboard?access_token=" + admin))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            assertEquals(200, page.statusCode());
            assertEquals(
                    Optional.of("no-referrer"),
                    page.headers().firstValue("Referrer-Policy"),
                    "the requests the page makes do not carry its URL's token on in a Referer");

            // The token in the page's URL: the page hands it to its stream.
            browser.open(base + "/dashboard?access_token=" + admin);
            awaitLive(browser);
            assertEquals("1", text(browser, "kpi-streams"), "open streams");
            Eventually.await("events/s above 0 while events are published", Duration.ofSeconds(20), () -> {
                Http.publish(base, "jwt.prices", "{\"price\":1}", publisher);
                return number(browser, "kpi-events") > 0;
            });

            // The cookie, with nothing in the URL.
            browser.setCookie(base, COOKIE, admin);
            browser.open(base + "/dashboard");
            awaitLive(browser);
            assertEquals("1", text(browser, "kpi-streams"), "open streams");

            // A token that runs out: the stream ends, and the page says why.
            browser.setCookie(base, COOKIE, "");
            browser.open(base + "/dashboard?access_token=" + admin(Instant.now().plusSeconds(8)));
            awaitLive(browser);
            Eventually.await("the page says the token expired", Duration.ofSeconds(20), () -> text(browser, "status")
                    .startsWith("token expired"));
        }
    }

    private static String admin(Instant expires) {
        return Tokens.hs256(
                SECRET,
                Tokens.claims("ops", List.of(), List.of(), expires)
                        .claim("wirehub.admin", true)
                        .build());
    }

    /** The page left "connecting…": its stream delivers and it draws figures. */
    private static void awaitLive(HeadlessChromium browser) throws Exception {
        awaitFrames(browser, 2);
        assertEquals("live", text(browser, "status"));
        assertTrue(text(browser, "kpi-p50").matches("[0-9.]+ (µs|ms|s)|–"), text(browser, "kpi-p50"));
        assertNotEquals("–", text(browser, "kpi-streams"), "a figure is drawn");
    }

    private static void awaitFrames(HeadlessChromium browser, int frames) {
        Eventually.await("the page drew " + frames + " frames", Duration.ofSeconds(10), () -> {
            try {
                int drawn = browser.evaluate("Number(document.body.dataset.frames || 0)")
                        .asInt();
                return drawn >= frames ? null : drawn + " frames, status '" + text(browser, "status") + "'";
            } catch (Exception | AssertionError e) {
                return "not readable: " + e.getMessage();
            }
        });
    }

    private static String text(HeadlessChromium browser, String id) {
        try {
            return browser.evaluate("document.getElementById('" + id + "').textContent")
                    .asText();
        } catch (Exception e) {
            throw new AssertionError("the page could not be read", e);
        }
    }

    /** The figure an element shows; NaN for "–" (none yet). */
    private static double number(HeadlessChromium browser, String id) {
        String shown = text(browser, id).replace(",", "");
        return shown.equals("–") ? Double.NaN : Double.parseDouble(shown);
    }
}
