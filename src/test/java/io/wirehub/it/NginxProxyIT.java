package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.InstalledTool;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nginx snippet of docs/deployment.md ("Behind a proxy"), read from the page, run by Debian's
 * nginx in front of a real wirehub: what a client behind it sees. Between nginx and wirehub a
 * TCP forwarder counts the connections nginx opens. nginx runs as this user's process, from its
 * own prefix directory (as perf/compare.sh runs nchan), never the system's configuration.
 */
@Slow
class NginxProxyIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern SNIPPET =
            Pattern.compile("## Behind a proxy\\n.*?```nginx\\n(.*?)```", Pattern.DOTALL);
    private static final String UPSTREAM = "server 127.0.0.1:8080;";
    private static final String LISTEN = "listen 80;";

    private static WireHub hub;
    private static TcpProxy toWirehub;
    private static Path prefix;
    private static Process nginx;
    private static String base;

    @BeforeAll
    static void startWirehubBehindNginx() throws Exception {
        Path binary = InstalledTool.find("nginx");
        Assumptions.assumeTrue(binary != null, "no nginx here: apt-get install nginx-light (.ci/run does)");
        hub = TestHubs.start();
        toWirehub = new TcpProxy("127.0.0.1", hub.port());
        int port = freePort();
        String snippet = snippet();
        assertTrue(
                snippet.contains(UPSTREAM) && snippet.contains(LISTEN), "the addresses this test changes: " + snippet);
        prefix = Files.createTempDirectory("wirehub-nginx");
        Files.setPosixFilePermissions(
                prefix, PosixFilePermissions.fromString("rwxr-xr-x")); // workers may run as nobody
        Files.writeString(prefix.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                %2$s
                }
                """.formatted(
                        prefix,
                        snippet.replace(UPSTREAM, "server 127.0.0.1:" + toWirehub.port() + ";")
                                .replace(LISTEN, "listen 127.0.0.1:" + port + ";")));
        nginx = new ProcessBuilder(
                        binary.toString(),
                        "-e",
                        prefix.resolve("error.log").toString(),
                        "-p",
                        prefix.toString(),
                        "-c",
                        prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("out.log").toFile())
                .start();
        base = "http://127.0.0.1:" + port;
        Eventually.await("nginx answers /health from wirehub", Duration.ofSeconds(30), () -> {
            if (!nginx.isAlive()) {
                throw new AssertionError("nginx exited: " + log());
            }
            try {
                Http.Response health = Http.get(base + "/health");
                return health.status() == 200 ? null : health.status() + " " + health.body();
            } catch (RuntimeException e) {
                return e.toString();
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy(); // SIGTERM: nginx's fast shutdown
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor();
            }
        }
        if (toWirehub != null) {
            toWirehub.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (prefix != null) {
            try (Stream<Path> files = Files.walk(prefix)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void theSnippetSetsConnectionOnceToEmptyOrUpgrade() throws IOException {
        String snippet = snippet();
        assertEquals(
                1,
                Pattern.compile("proxy_set_header\\s+Connection\\b")
                        .matcher(snippet)
                        .results()
                        .count(),
                snippet);
        Matcher map = Pattern.compile("map \\$http_upgrade \\$connection_upgrade \\{([^}]*)}")
                .matcher(snippet);
        assertTrue(map.find(), snippet);
        assertTrue(
                Pattern.compile("default\\s+'';").matcher(map.group(1)).find(),
                "anything but an upgrade: empty, kept alive: " + map.group());
    }

    @Test
    void anSseStreamThroughNginxGetsEachEventWhileItStaysOpen() throws Exception {
        try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=nginx.sse")) {
            assertEquals(200, stream.status(), stream.errorBody());
            Eventually.await(
                    "wirehub counts the stream", WAIT, () -> hub.hub().stats().subscribers() >= 1);
            // One at a time: a proxy that buffered would hold each small event back (until its
            // buffer filled or the stream ended), and the next publish would never come.
            for (int i = 1; i <= 3; i++) {
                Http.publish(base, "nginx.sse", "{\"n\":" + i + "}");
                SseClient.SseEvent event = stream.next(WAIT);
                assertNotNull(event, "event " + i + " came through nginx while the stream is open; nginx: " + log());
                assertEquals("{\"n\":" + i + "}", event.data());
            }
            assertFalse(stream.ended());
        }
    }

    @Test
    void aWebSocketUpgradesThroughNginxAndGetsItsEventsAndAcknowledgements() throws Exception {
        toWirehub.record();
        try (WsClient socket = WsClient.connect(base.replace("http://", "ws://") + "/v1/ws?topic=nginx.ws")) {
            assertEquals("ready", socket.ready().get("op").asText());
            String upgrade = head("GET /v1/ws?topic=nginx.ws ").toLowerCase(Locale.ROOT);
            assertTrue(
                    upgrade.contains("\r\nupgrade: websocket\r\n") && upgrade.contains("\r\nconnection: upgrade\r\n"),
                    upgrade);

            long seq = Http.publish(base, "nginx.ws", "{\"hello\":1}");
            JsonNode event = socket.next(WAIT);
            assertNotNull(event, "the event came through nginx; nginx: " + log());
            assertEquals(seq, event.get("seq").asLong());
            assertEquals(1, event.get("data").get("hello").asInt());

            socket.send("{\"op\":\"subscribe\",\"topic\":\"nginx.ws2\"}");
            JsonNode ack = socket.nextAck(WAIT);
            assertNotNull(ack, "the subscribe was acknowledged through nginx");
            assertEquals("subscribed", ack.get("op").asText());
            Http.publish(base, "nginx.ws2", "\"second\"");
            JsonNode second = socket.next(WAIT);
            assertNotNull(second, "the second topic's event came");
            assertEquals("nginx.ws2", second.get("topic").asText());
        }
    }

    @Test
    void otherRequestsReachWirehubWithoutUpgradeOrCloseOverOneConnection() throws Exception {
        toWirehub.record();
        // What curl --http2 and Java's HttpClient send on a new cleartext connection.
        assertEquals(
                "HTTP/1.1 200 OK",
                rawGet(
                        "/v1/topics/nginx.h2c/snapshot",
                        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"));
        String passed = head("GET /v1/topics/nginx.h2c/snapshot ").toLowerCase(Locale.ROOT);
        assertFalse(passed.contains("upgrade"), "the h2c upgrade stops at nginx: " + passed);

        Http.publish(base, "nginx.keepalive", "\"warm\""); // nginx keeps an idle connection to wirehub from here on
        int before = toWirehub.accepted();
        for (int i = 0; i < 10; i++) {
            Http.publish(base, "nginx.keepalive", "\"" + i + "\"");
        }
        int opened = toWirehub.accepted() - before;
        String publish = head("POST /v1/topics/nginx.keepalive/events ").toLowerCase(Locale.ROOT);
        assertFalse(publish.contains("connection: close") || publish.contains("upgrade"), publish);
        assertTrue(opened <= 1, "nginx reused its connection to wirehub: " + opened + " new ones for 10 publishes");
    }

    /** The head of the last request nginx sent wirehub that starts with this request line. */
    private static String head(String requestLine) {
        String recorded = toWirehub.recorded();
        int start = recorded.lastIndexOf(requestLine);
        assertTrue(start >= 0, "nginx sent wirehub " + requestLine + "; it sent:\n" + recorded);
        int end = recorded.indexOf("\r\n\r\n", start);
        return recorded.substring(start, end < 0 ? recorded.length() : end + 2);
    }

    /** A GET with these extra header lines, on a socket of its own; returns the status line. */
    private static String rawGet(String path, String headers) throws IOException {
        try (Socket socket = new Socket(
                InetAddress.getLoopbackAddress(), Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: wirehub.example\r\n" + headers + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
        }
    }

    private static String snippet() throws IOException {
        Matcher matcher = SNIPPET.matcher(Files.readString(Path.of("docs/deployment.md")));
        assertTrue(matcher.find(), "docs/deployment.md has a ```nginx block under ## Behind a proxy");
        return matcher.group(1);
    }

    private static String log() {
        try {
            return Files.readString(prefix.resolve("error.log")) + Files.readString(prefix.resolve("out.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
