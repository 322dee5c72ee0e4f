package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.TestHubs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every JSON response ends with one newline, so that curl's output does not run into the prompt. */
class JsonResponsesIT {

    @Test
    void everyJsonResponseEndsWithOneNewline() {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            assertEndsWithOneNewline("a publish", Http.post(base + "/v1/topics/lines/events", "x"), 201);
            assertEndsWithOneNewline(
                    "a batch", Http.post(base + "/v1/events", "[{\"topic\":\"lines\",\"data\":1}]"), 201);
            assertEndsWithOneNewline("a snapshot", Http.get(base + "/v1/topics/lines/snapshot"), 200);
            assertEndsWithOneNewline("the stats", Http.get(base + "/v1/stats"), 200);
            assertEndsWithOneNewline("the slowest subscribers", Http.get(base + "/v1/admin/subscribers"), 200);
            assertEndsWithOneNewline("readiness", Http.get(base + "/health"), 200);
            assertEndsWithOneNewline("liveness", Http.get(base + "/health/live"), 200);
            assertEndsWithOneNewline("an unknown route", Http.get(base + "/v2/nothing"), 404);
            assertEndsWithOneNewline("a bad topic", Http.post(base + "/v1/topics/a%20b/events", "x"), 400);
        }
    }

    @Test
    void theManagementPortsResponsesEndWithOneNewlineToo() {
        try (WireHub hub = TestHubs.start(Map.of("WH_MANAGEMENT_PORT", "0"))) {
            String management = "http://127.0.0.1:" + hub.managementPort();
            assertEndsWithOneNewline("readiness", Http.get(management + "/health"), 200);
            assertEndsWithOneNewline("an unknown route", Http.get(management + "/v1/stats"), 404);
        }
    }

    private static void assertEndsWithOneNewline(String what, Http.Response response, int status) {
        assertEquals(status, response.status(), what + ": " + response.body());
        assertTrue(response.body().endsWith("}\n"), what + " ends with a newline: [" + response.body() + "]");
        assertEquals(
                response.body().strip(), response.json().toString(), what + ": one JSON document, then the newline");
    }
}
