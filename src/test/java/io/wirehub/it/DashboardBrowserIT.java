package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.HeadlessChromium;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (the system's chromium, headless): its numbers and charts
 * follow what happens on the server. Skips, saying so on stderr, where chromium is not installed;
 * CI installs it (.ci/run). Leaves target/dashboard.png.
 */
class DashboardBrowserIT {
    private static final String PAYLOAD = "x".repeat(4000);

    @Test
    void thePageShowsStreamsEventsAndSlowSubscribersAsTheyHappen() throws Exception {
        if (HeadlessChromium.path() == null) {
            System.err.println("SKIPPED DashboardBrowserIT: no chromium (apt-get install chromium); the dashboard was not tested in a browser");
        }
        Assumptions.assumeTrue(HeadlessChromium.path() != null, "no chromium installed: apt-get install chromium");
        Map<String, String> env = Map.of("WH_SSE_CHANNEL_BUFFER", "8", "WH_SOCKET_SEND_BUFFER", "65536", "WH_WRITE_TIMEOUT", "60s");
        try (WireHub hub = TestHubs.start(env);
                SseClient a = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=dash.prices&topic=dash.news");
                SseClient b = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=dash.prices");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=dash.prices");
                HeadlessChromium browser = new HeadlessChromium(1280, 900)) {
            String base = TestHubs.base(hub);
            Eventually.await("three subscribers", Duration.ofSeconds(10), () -> hub.hub().stats().subscribers() == 3);
            browser.open(base + "/dashboard");
            awaitFrames(browser, 2);
            assertEquals("3", text(browser, "kpi-streams"), "open streams");
            assertEquals("live", text(browser, "status"));
            String quietChart = browser.evaluate("document.querySelector('#chart-throughput canvas').toDataURL()").asText();

            // About 4 s of traffic: the stalled client overflows, the others keep up.
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            for (int i = 1; System.nanoTime() < until; i++) {
                Http.publish(base, "dash.prices", i + ":" + PAYLOAD);
                Http.publish(base, "dash.news", "n" + i);
                assertNotNull(b.next(Duration.ofSeconds(2)));
            }
            int framesNow = browser.evaluate("Number(document.body.dataset.frames)").asInt();
            awaitFrames(browser, framesNow + 1);

            assertTrue(number(browser, "kpi-events") > 0, "events/s: " + text(browser, "kpi-events"));
            assertTrue(number(browser, "kpi-deliveries") > number(browser, "kpi-events"), "deliveries/s exceed events/s (fan-out)");
            assertTrue(text(browser, "kpi-p99").matches("[0-9.]+ (µs|ms|s)"), "a p99 is shown: " + text(browser, "kpi-p99"));
            assertNotEquals(quietChart, browser.evaluate("document.querySelector('#chart-throughput canvas').toDataURL()").asText(),
                    "the throughput chart moved");
            assertTrue(hub.hub().stats().overflows() > 0, "the stalled client overflowed");
            Eventually.await("the stalled client at the top of the slowest table", Duration.ofSeconds(5), () -> {
                try {
                    String firstRow = browser.evaluate("document.querySelector('#slowest tr').innerText").asText();
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

    private static void awaitFrames(HeadlessChromium browser, int frames) {
        Eventually.await("the page drew " + frames + " frames", Duration.ofSeconds(10), () -> {
            try {
                return browser.evaluate("Number(document.body.dataset.frames || 0)").asInt() >= frames;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String text(HeadlessChromium browser, String id) throws Exception {
        return browser.evaluate("document.getElementById('" + id + "').textContent").asText();
    }

    private static double number(HeadlessChromium browser, String id) throws Exception {
        return Double.parseDouble(text(browser, id).replace(",", ""));
    }
}
