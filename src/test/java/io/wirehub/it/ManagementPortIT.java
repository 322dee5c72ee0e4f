package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics and /health: on a management port of their own with no token, or behind the admin claim on the public one. */
class ManagementPortIT {
    private static final String SECRET = "management-port-test-secret-32-bytes!";
    private static final Map<String, String> JWT = Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_SECRET", SECRET);

    @Test
    void withAManagementPortMetricsAndHealthAnswerThereWithoutATokenAndLeaveThePublicPort() {
        Map<String, String> env = new java.util.HashMap<>(JWT);
        env.put("WH_MANAGEMENT_PORT", "0");
        try (WireHub hub = TestHubs.start(env)) {
            String management = "http://127.0.0.1:" + hub.managementPort();
            assertTrue(hub.managementPort() > 0 && hub.managementPort() != hub.port());
            Http.Response metrics = Http.get(management + "/metrics");
            assertEquals(200, metrics.status());
            assertTrue(metrics.body().contains("wirehub_streams_open"), "the meters are there");
            assertEquals(200, Http.get(management + "/health").status());
            assertEquals(404, Http.get(management + "/v1/topics/t/snapshot").status(), "nothing else is served there");

            String base = TestHubs.base(hub);
            assertEquals(
                    404,
                    withToken(base + "/metrics", token(true)).status(),
                    "not on the public port, even for an admin");
            assertEquals(404, Http.get(base + "/health").status());
        }
    }

    @Test
    void theManagementPortBindsManagementHostAndNotTheServersHost() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(JWT);
        env.put("WH_MANAGEMENT_PORT", "0");
        env.put("WH_MANAGEMENT_HOST", "127.0.0.2"); // the private interface; the public one is 127.0.0.1
        try (WireHub hub = TestHubs.start(env)) {
            assertEquals(
                    200,
                    Http.get("http://127.0.0.2:" + hub.managementPort() + "/metrics")
                            .status());
            try (java.net.Socket publicSide = new java.net.Socket()) {
                org.junit.jupiter.api.Assertions.assertThrows(
                        java.net.ConnectException.class,
                        () -> publicSide.connect(
                                new java.net.InetSocketAddress("127.0.0.1", hub.managementPort()), 2000),
                        "nothing listens for /metrics on the public interface");
            }
        }
    }

    @Test
    void withoutOneMetricsOnThePublicPortNeedsAnAdminToken() {
        try (WireHub hub = TestHubs.start(JWT)) {
            String base = TestHubs.base(hub);
            assertEquals(-1, hub.managementPort());
            assertEquals(401, Http.get(base + "/metrics").status());
            assertEquals(403, withToken(base + "/metrics", token(false)).status(), "a publisher's token is not enough");
            assertEquals(200, withToken(base + "/metrics", token(true)).status());
            assertEquals(200, Http.get(base + "/health").status(), "health stays open for load balancers");
        }
    }

    private static String token(boolean admin) {
        var claims =
                Tokens.claims("ops", List.of("*"), List.of("*"), Instant.now().plusSeconds(60));
        if (admin) {
            claims.claim("wirehub.admin", true);
        }
        return Tokens.hs256(SECRET.getBytes(StandardCharsets.UTF_8), claims.build());
    }

    private static Http.Response withToken(String url, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build());
    }
}
