package io.wirehub.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Load;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * perf/LoadGen.java, the client of the fan-out benchmarks, still speaks wirehub's SSE and
 * WebSocket and still finds every delivery: a second-long run with a few subscribers against a
 * real server must end {@code RESULT ok} with 0 gaps. It times nothing: figures are for perf/.
 */
@Slow
@Load
class LoadGenSmokeIT {

    @ParameterizedTest
    @ValueSource(strings = {"sse", "ws"})
    void aTinyRunDeliversEveryEventExactlyOnce(String transport) throws Exception {
        runAndExpectExact(transport, 200);
    }

    /**
     * At a rate whose period is far longer than a publish's answer, the first connection is free
     * at every due time; the warm-up still ends, because each subscriber must see every
     * connection's events and the due requests go round the connections.
     */
    @Test
    void aLowFixedRatePublishesOnEveryConnection() throws Exception {
        runAndExpectExact("sse", 4);
    }

    /**
     * A publish answered {@code 503 overloaded} stored nothing: LoadGen counts it as refused, backs
     * off, sends the same events again, and the run stays exactly once. The publishes go through a
     * proxy that refuses every fourth request (with {@code Retry-After: 0} or without it) and hands
     * the others to the server.
     */
    @Test
    void refusedPublishesAreRetriedAndCountedNotLost() throws Exception {
        try (WireHub hub = TestHubs.start();
                HttpClient http = HttpClient.newHttpClient()) {
            AtomicInteger requests = new AtomicInteger();
            HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            proxy.createContext("/", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                int i = requests.incrementAndGet();
                int status;
                byte[] answer;
                if (i % 4 == 0) {
                    status = 503;
                    answer = "{\"status\":503,\"error\":\"overloaded\"}".getBytes(StandardCharsets.UTF_8);
                    if (i % 8 == 0) {
                        ex.getResponseHeaders().add("Retry-After", "0");
                    }
                } else {
                    try {
                        HttpResponse<byte[]> r = http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + hub.port() + ex.getRequestURI()))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        status = r.statusCode();
                        answer = r.body();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(answer);
                }
            });
            proxy.start();
            try {
                String json = run(
                        hub,
                        "sse",
                        200,
                        "--pub-port",
                        String.valueOf(proxy.getAddress().getPort()));
                Matcher refused =
                        Pattern.compile("\"publishes_refused_total\":(\\d+)").matcher(json);
                assertTrue(refused.find() && Long.parseLong(refused.group(1)) > 0, json);
                assertTrue(
                        json.contains("\"publish_failures\":0")
                                && json.contains("\"publish_p99_ms\":")
                                && json.contains("\"server_rss_peak_kb\":"),
                        json);
            } finally {
                proxy.stop(0);
            }
        }
    }

    private static void runAndExpectExact(String transport, int rate) throws Exception {
        try (WireHub hub = TestHubs.start()) {
            run(hub, transport, rate);
        }
    }

    /** One tiny run that must end exactly once; returns its JSON line. */
    private static String run(WireHub hub, String transport, int rate, String... extra) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = Files.createTempFile("loadgen", ".jsonl");
        Path log = Files.createTempFile("loadgen", ".log");
        List<String> command = new ArrayList<>(List.of(
                java,
                "perf/LoadGen.java",
                "--transport",
                transport,
                "--port",
                String.valueOf(hub.port()),
                "--pid",
                String.valueOf(ProcessHandle.current().pid()),
                "--subscribers",
                "20",
                "--topics",
                "2",
                "--rate",
                String.valueOf(rate),
                "--warmup",
                "0.5",
                "--cold",
                "0.2",
                "--window",
                "1",
                "--drain",
                "10",
                "--io-threads",
                "1",
                "--out",
                out.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished;
        try {
            finished = p.waitFor(90, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(finished, "LoadGen did not finish within 90 s: " + output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(
                output.contains("gaps 0, duplicates 0, reordered 0, streams ended 0, connect failures 0, drained true"),
                output);
        String json = Files.readString(out);
        Files.delete(out);
        assertTrue(json.contains("\"exact\":true") && json.contains("\"transport\":\"" + transport + "\""), json);
        return json;
    }
}
