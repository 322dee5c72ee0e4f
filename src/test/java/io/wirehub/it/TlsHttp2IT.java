package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestCertificates;
import io.wirehub.testing.TestHubs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and HTTP/2 as clients meet them: the JDK's HttpClient and curl over h2 (TLS, ALPN) and h2c
 * (cleartext, by prior knowledge and by upgrade), wss://, a certificate renewed on disk and served
 * without a restart, and files that cannot serve refused at start naming their key.
 */
@Slow
class TlsHttp2IT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void overTlsStreamsPublishesSnapshotsMetricsAndTheDashboardGoOverHttp2() throws Exception {
        TestCertificates.Pem pem = TestCertificates.create(dir, "wirehub-test");
        TestCertificates.Client tls = TestCertificates.client();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(tls.context())
                .version(HttpClient.Version.HTTP_2)
                .build();
        try (WireHub hub = TestHubs.start(tlsEnv(pem))) {
            String base = "https://127.0.0.1:" + hub.port();
            HttpResponse<Stream<String>> stream = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=h2.t"))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, stream.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, stream.version(), "the SSE stream is an HTTP/2 stream");
            BlockingQueue<String> lines = readLines(stream.body());

            HttpResponse<String> published = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/topics/h2.t/events"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"over\":\"h2\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, published.statusCode(), published.body());
            assertEquals(HttpClient.Version.HTTP_2, published.version());
            assertEquals("data: {\"over\":\"h2\"}", nextData(lines), "the event arrives on the HTTP/2 stream");

            for (String path : List.of("/v1/topics/h2.t/snapshot", "/metrics", "/dashboard", "/health")) {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), path + ": " + response.body());
                assertEquals(HttpClient.Version.HTTP_2, response.version(), path);
            }
            assertEquals("CN=wirehub-test", tls.lastSubject().get());
        }
    }

    @Test
    void aStreamItsClientResetsOverHttp2EndsWhileTheConnectionStaysUp() throws Exception {
        TestCertificates.Pem pem = TestCertificates.create(dir, "reset-test");
        TestCertificates.Client tls = TestCertificates.client();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(tls.context())
                .version(HttpClient.Version.HTTP_2)
                .build();
        try (WireHub hub = TestHubs.start(tlsEnv(pem))) {
            String base = "https://127.0.0.1:" + hub.port();
            HttpResponse<java.io.InputStream> stream = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=reset.t"))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(HttpClient.Version.HTTP_2, stream.version());
            HttpResponse<java.io.InputStream> other = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=reset.t"))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Eventually.await("two streams", WAIT, () -> hub.hub().stats().subscribers() == 2);
            stream.body().close(); // RST_STREAM, as a closed tab or EventSource.close() sends; the connection stays
            Eventually.await(
                    "the reset stream closed as client_gone",
                    WAIT,
                    () -> hub.hub().stats().subscribers() == 1
                            ? null
                            : hub.hub().stats().subscribers() + " streams");
            BlockingQueue<String> lines =
                    readLines(new BufferedReader(new InputStreamReader(other.body(), StandardCharsets.UTF_8)).lines());
            client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/topics/reset.t/events"))
                            .POST(HttpRequest.BodyPublishers.ofString("on"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals("data: on", nextData(lines), "the other stream on the same connection goes on");
        }
    }

    @Test
    void curlReadsAStreamOverH2WithTlsAndPublishesOverH2cByPriorKnowledge() throws Exception {
        TestCertificates.Pem pem = TestCertificates.create(dir, "curl-test");
        try (WireHub secure = TestHubs.start(tlsEnv(pem));
                WireHub clear = TestHubs.start()) {
            Process curl = new ProcessBuilder(
                            "curl",
                            "-skN",
                            "-i",
                            "--http2",
                            "--max-time",
                            "20",
                            "https://127.0.0.1:" + secure.port() + "/v1/sse?topic=curl.t")
                    .redirectErrorStream(true)
                    .start();
            try {
                BlockingQueue<String> lines = readLines(
                        new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))
                                .lines());
                assertEquals(
                        "HTTP/2 200",
                        lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS).strip(),
                        "curl negotiated h2 over TLS");
                Eventually.await(
                        "the stream counted", WAIT, () -> secure.hub().stats().subscribers() == 1);
                String published = run(
                        "curl",
                        "-sk",
                        "--http2",
                        "-w",
                        " %{http_version}",
                        "-X",
                        "POST",
                        "https://127.0.0.1:" + secure.port() + "/v1/topics/curl.t/events",
                        "-d",
                        "{\"via\":\"curl\"}");
                assertEquals("{\"topic\":\"curl.t\",\"seq\":1}\n 2", published);
                assertEquals("data: {\"via\":\"curl\"}", nextData(lines));
            } finally {
                curl.destroy();
            }
            String h2c = run(
                    "curl",
                    "-s",
                    "--http2-prior-knowledge",
                    "-w",
                    " %{http_version}",
                    "-X",
                    "POST",
                    TestHubs.base(clear) + "/v1/topics/c.t/events",
                    "-d",
                    "1");
            assertEquals(
                    "{\"topic\":\"c.t\",\"seq\":1}\n 2",
                    h2c,
                    "h2c by prior knowledge, as a proxy speaking h2c sends it");
        }
    }

    @Test
    void cleartextAnswersAnUpgradeToH2cInHttp1ForTheJdkClient() throws Exception {
        // Upgrade: h2c is declined (see WireHub#watchConnections); prior knowledge (above) is not.
        try (WireHub hub = TestHubs.start()) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(TestHubs.base(hub) + "/v1/topics/u/snapshot"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "Upgrade: h2c declined");
        }
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestartAndOpenStreamsGoOn() throws Exception {
        TestCertificates.Pem served = TestCertificates.create(dir, "first");
        TestCertificates.Pem renewed = TestCertificates.create(dir, "second");
        Map<String, String> env = new HashMap<>(tlsEnv(served));
        env.put("WH_SERVER_TLS_RELOAD_INTERVAL", "1s");
        try (WireHub hub = TestHubs.start(env)) {
            String base = "https://127.0.0.1:" + hub.port();
            TestCertificates.Client before = TestCertificates.client();
            HttpClient open = HttpClient.newBuilder()
                    .sslContext(before.context())
                    .version(HttpClient.Version.HTTP_2)
                    .build();
            HttpResponse<Stream<String>> stream = open.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=r.t"))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            BlockingQueue<String> lines = readLines(stream.body());
            assertEquals("CN=first", before.lastSubject().get());

            renewed.copyOver(served);
            Eventually.await("new connections are served the renewed certificate", WAIT, () -> {
                String subject = subjectOfANewConnection(base);
                return "CN=second".equals(subject) ? null : "still " + subject;
            });
            HttpResponse<String> published = open.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/topics/r.t/events"))
                            .POST(HttpRequest.BodyPublishers.ofString("after"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, published.statusCode());
            assertEquals("data: after", nextData(lines), "the stream opened before the renewal goes on");
        }
    }

    @Test
    void aWebSocketOverTlsIsWss() throws Exception {
        TestCertificates.Pem pem = TestCertificates.create(dir, "wss-test");
        TestCertificates.Client tls = TestCertificates.client();
        HttpClient client = HttpClient.newBuilder().sslContext(tls.context()).build();
        try (WireHub hub = TestHubs.start(tlsEnv(pem))) {
            BlockingQueue<String> messages = new LinkedBlockingQueue<>();
            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(
                            URI.create("wss://127.0.0.1:" + hub.port() + "/v1/ws?topic=w.t"), new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                    messages.add(data.toString());
                                    webSocket.request(1);
                                    return null;
                                }
                            })
                    .get(15, TimeUnit.SECONDS);
            try {
                assertTrue(messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS).startsWith("{\"op\":\"ready\""));
                client.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hub.port() + "/v1/topics/w.t/events"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"w\":1}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                String event = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(event != null && event.contains("\"data\":{\"w\":1}"), "the event over wss: " + event);
            } finally {
                socket.abort();
            }
        }
    }

    @Test
    void filesThatCannotServeAreRefusedAtStartNamingTheirKey() throws Exception {
        TestCertificates.Pem first = TestCertificates.create(dir, "one");
        TestCertificates.Pem second = TestCertificates.create(dir, "two");
        InvalidSettingsException mismatched = assertThrows(
                InvalidSettingsException.class,
                () -> TestHubs.start(Map.of(
                        "WH_SERVER_TLS_CERT_FILE",
                        first.cert().toString(),
                        "WH_SERVER_TLS_KEY_FILE",
                        second.key().toString())));
        assertTrue(
                mismatched
                        .getMessage()
                        .startsWith("server.tls.key_file (WH_SERVER_TLS_KEY_FILE): '" + second.key()
                                + "' is not the private key of the first certificate"),
                mismatched.getMessage());

        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        InvalidSettingsException unreadable = assertThrows(
                InvalidSettingsException.class,
                () -> TestHubs.start(Map.of(
                        "WH_SERVER_TLS_CERT_FILE",
                        first.cert().toString(),
                        "WH_SERVER_TLS_KEY_FILE",
                        garbage.toString())));
        assertTrue(
                unreadable
                        .getMessage()
                        .contains("server.tls.key_file (WH_SERVER_TLS_KEY_FILE): '" + garbage
                                + "' cannot be read as a PEM private key"),
                unreadable.getMessage());

        InvalidSettingsException missing = assertThrows(
                InvalidSettingsException.class,
                () -> TestHubs.start(Map.of(
                        "WH_SERVER_TLS_CERT_FILE",
                        dir.resolve("absent.pem").toString(),
                        "WH_SERVER_TLS_KEY_FILE",
                        first.key().toString())));
        assertTrue(
                missing.getMessage()
                        .contains("WH_SERVER_TLS_CERT_FILE (server.tls.cert_file): '" + dir.resolve("absent.pem")
                                + "' is not valid; expected a readable PEM file"),
                missing.getMessage());

        InvalidSettingsException half = assertThrows(
                InvalidSettingsException.class,
                () -> TestHubs.start(
                        Map.of("WH_SERVER_TLS_CERT_FILE", first.cert().toString())));
        assertTrue(
                half.getMessage().contains("server.tls.key_file (WH_SERVER_TLS_KEY_FILE): is empty"),
                half.getMessage());
    }

    private static String subjectOfANewConnection(String base) {
        try {
            TestCertificates.Client fresh = TestCertificates.client();
            HttpClient.newBuilder()
                    .sslContext(fresh.context())
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                            HttpResponse.BodyHandlers.discarding());
            return fresh.lastSubject().get();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Map<String, String> tlsEnv(TestCertificates.Pem pem) {
        return Map.of(
                "WH_SERVER_TLS_CERT_FILE",
                pem.cert().toString(),
                "WH_SERVER_TLS_KEY_FILE",
                pem.key().toString());
    }

    private static BlockingQueue<String> readLines(Stream<String> body) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name("test-lines").start(() -> {
            try {
                body.forEach(lines::add);
            } catch (RuntimeException e) {
                // the stream ended with the test
            }
        });
        return lines;
    }

    private static String nextData(BlockingQueue<String> lines) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith("data:")) {
                return line;
            }
        }
        return null;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return out;
    }
}
