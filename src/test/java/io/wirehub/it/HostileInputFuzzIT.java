package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 10,000 hostile inputs from a fixed seed, each on its own raw TCP connection: malformed and
 * truncated JSON, invalid UTF-8, NUL/CR/LF in topics, names and ids, huge and negative numbers,
 * oversize bodies and headers, garbage Last-Event-IDs, malformed WebSocket frames, random bytes.
 * Each gets a 4xx (or, when it happens to be valid, a 2xx) or a clean close, never a 5xx or a
 * hang; afterwards the server answers /health, stored exactly the events it acknowledged, and its
 * subscribers, drain loops and platform threads are back at their baseline.
 */
@Slow
@Load
class HostileInputFuzzIT {
    private static final long SEED = 20261201L;
    private static final int INPUTS = 10_000;
    private static final int READ_TIMEOUT_MS = 5_000;
    private static final String[] NASTY = {
        "\u0000", "\r\n", "\n", "\r", "%00", "%0D%0A", "%0a", "\u00ff", "\uD800", "\"", "\\", ",", "~", "*", " ", "%",
        "%ZZ", "..", "/", "?", "#", "{", "}", "\t", "é", "😀"
    };

    private Random random;
    private WireHub hub;
    private long acknowledged;

    @Test
    void tenThousandHostileInputsGetA4xxOrACleanCloseAndLeaveNothingBehind() throws Exception {
        random = new Random(SEED);
        hub = TestHubs.start(
                Map.of("WH_MAX_EVENT_BYTES", "2048", "WH_MAX_BATCH_BYTES", "8192", "WH_MAX_BATCH_EVENTS", "10"));
        try {
            Http.get(TestHubs.base(hub) + "/health"); // the test's own HTTP client threads start before the baseline
            Map<String, Integer> baseline = platformThreads();
            long publishedBefore = hub.hub().stats().published();
            for (int i = 0; i < INPUTS; i++) {
                byte[] input =
                        switch (random.nextInt(9)) {
                            case 0 -> batch();
                            case 1 -> singlePublish();
                            case 2 -> stream();
                            case 3 -> snapshot();
                            case 4 -> oversizeHeader();
                            case 5 -> webSocketFrames();
                            case 6 -> contentLengthLies();
                            case 7 -> randomBytes();
                            default -> mutated(validRequest());
                        };
                send(i, input);
            }
            assertEquals(200, Http.get(TestHubs.base(hub) + "/health").status(), "still healthy");
            assertEquals(
                    acknowledged,
                    hub.hub().stats().published() - publishedBefore,
                    "stored exactly the events it acknowledged: no rejected request stored anything");
            Eventually.await(
                    "subscribers and drain loops back at zero",
                    Duration.ofSeconds(15),
                    () -> hub.hub().stats().subscribers() == 0
                            && hub.hub().stats().drainLoops() == 0);
            Eventually.await("platform threads back at baseline", Duration.ofSeconds(15), () -> {
                Map<String, Integer> now = platformThreads();
                now.replaceAll((name, count) -> count - baseline.getOrDefault(name, 0));
                now.values().removeIf(more -> more <= 0);
                return now.isEmpty() ? null : "more threads than before: " + now;
            });
        } finally {
            hub.close();
        }
    }

    /** Sends one input on its own connection and checks the answer: never a 5xx, never a hang. */
    private void send(int index, byte[] input) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", hub.port())) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            try {
                socket.getOutputStream().write(input);
                socket.shutdownOutput(); // a truncated input ends here: the server must not wait for more
            } catch (IOException e) {
                return; // the server closed on us mid-input (e.g. oversize): a clean close
            }
            String response = readAll(socket.getInputStream());
            if (response.startsWith("HTTP/1.1 ")) {
                int status = Integer.parseInt(response.substring(9, 12));
                assertTrue(
                        status < 500, "input " + index + " got " + status + ": " + describe(input) + "\n" + response);
                if (status == 201) {
                    acknowledged += response.split("\"seq\":", -1).length - 1;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("input " + index + " got no answer and no close within " + READ_TIMEOUT_MS
                    + " ms: " + describe(input));
        }
    }

    /**
     * Live platform threads by name, numbers dropped, without the virtual threads' carriers (the
     * JDK adds and retires those on its own).
     */
    private static Map<String, Integer> platformThreads() {
        Map<String, Integer> names = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info :
                ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (!info.getThreadName().startsWith("ForkJoinPool")) {
                names.merge(info.getThreadName().replaceAll("\\d+", "#"), 1, Integer::sum);
            }
        }
        return names;
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                String head = out.toString(StandardCharsets.ISO_8859_1);
                if (head.contains("\r\n\r\n") && (head.startsWith("HTTP/1.1 200") || head.startsWith("HTTP/1.1 101"))) {
                    break; // a stream opened (the input happened to be valid): it would go on until we close
                }
            }
        } catch (java.net.SocketException e) {
            // reset by the server: a close
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private byte[] batch() {
        StringBuilder body = new StringBuilder("[");
        int events = random.nextInt(14);
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",")
                    .append("{\"topic\":\"")
                    .append(name())
                    .append('"');
            if (random.nextBoolean()) {
                body.append(",\"event\":\"").append(name()).append('"');
            }
            if (random.nextInt(4) == 0) {
                body.append(",\"id_key\":\"").append(name()).append('"');
            }
            body.append(",\"data\":").append(data()).append('}');
        }
        byte[] bytes =
                body.append(random.nextInt(10) == 0 ? "" : "]").toString().getBytes(StandardCharsets.UTF_8);
        return request("POST", "/v1/events", "Content-Type: application/json\r\n", maybeInvalidUtf8(bytes));
    }

    private byte[] singlePublish() {
        String path = "/v1/topics/" + name() + "/events" + (random.nextBoolean() ? "?event=" + name() : "");
        String type = random.nextBoolean() ? "Content-Type: application/json\r\n" : "";
        String key = random.nextInt(4) == 0 ? "Idempotency-Key: " + name() + "\r\n" : "";
        return request("POST", path, type + key, maybeInvalidUtf8(data().getBytes(StandardCharsets.UTF_8)));
    }

    private byte[] stream() {
        String path = (random.nextBoolean() ? "/v1/sse" : "/v1/ws") + "?topic=" + name()
                + (random.nextBoolean() ? "&topic=" + name() : "")
                + (random.nextBoolean() ? "&lastEventId=" + name() : "");
        String lastEventId = "Last-Event-ID: " + garbageCursor() + "\r\n";
        return request("GET", path, lastEventId, new byte[0]);
    }

    private byte[] snapshot() {
        String[] limits = {
            "-1", "0", "1", "1000", "1001", "99999999999999999999", "-99999999999", "1e3", "0x10", "", "%00"
        };
        return request(
                "GET",
                "/v1/topics/" + name() + "/snapshot?limit=" + limits[random.nextInt(limits.length)],
                "",
                new byte[0]);
    }

    private byte[] oversizeHeader() {
        String value = "x".repeat(1 + random.nextInt(40_000));
        return request("GET", "/v1/topics/t/snapshot", "X-Big: " + value + "\r\n", new byte[0]);
    }

    /** A proper upgrade, then frames a client must not send: unmasked, huge, truncated, reserved bits, bad UTF-8. */
    private byte[] webSocketFrames() {
        byte[] key = new byte[16];
        random.nextBytes(key);
        String upgrade =
                "GET /v1/ws?topic=fuzz.ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(upgrade.getBytes(StandardCharsets.US_ASCII));
        byte[] payload = new byte[random.nextInt(300)];
        random.nextBytes(payload);
        switch (random.nextInt(5)) {
            case 0 ->
                out.writeBytes(new byte[] {(byte) 0x81, (byte) payload.length}); // unmasked (and maybe a wrong length)
            case 1 ->
                out.writeBytes(new byte[] {(byte) 0x81, (byte) 0xFF, 0x7F, -1, -1, -1, -1, -1, -1, -1}); // 2^63 bytes
            case 2 -> out.writeBytes(new byte[] {(byte) 0xF1, (byte) 0x85, 1, 2, 3, 4}); // reserved bits, truncated
            case 3 ->
                out.writeBytes(new byte[] {(byte) 0x81, (byte) 0x80 | 10, 0, 0, 0, 0, (byte) 0xC3, 0x28
                }); // invalid UTF-8, short
            default -> {}
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private byte[] contentLengthLies() {
        String[] lengths = {"-1", "99999999999999999999", "1000000000", "abc", "0", "5", "1, 2"};
        String head =
                "POST /v1/topics/" + name() + "/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                        + lengths[random.nextInt(lengths.length)] + "\r\n\r\n";
        return (head + "abc").getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(2000)];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] validRequest() {
        return random.nextBoolean() ? batch() : singlePublish();
    }

    /** Flips, drops or truncates a few bytes of an input. */
    private byte[] mutated(byte[] input) {
        byte[] out = input.clone();
        for (int i = random.nextInt(4); i >= 0 && out.length > 0; i--) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
        return random.nextInt(3) == 0 ? java.util.Arrays.copyOf(out, random.nextInt(out.length + 1)) : out;
    }

    private byte[] maybeInvalidUtf8(byte[] body) {
        if (body.length == 0 || random.nextInt(5) != 0) {
            return body;
        }
        byte[] out = body.clone();
        out[random.nextInt(out.length)] = (byte) (0x80 | random.nextInt(0x40)); // a lone continuation byte
        return out;
    }

    private String name() {
        StringBuilder name = new StringBuilder();
        int length = random.nextInt(6) == 0 ? 190 + random.nextInt(20) : 1 + random.nextInt(12);
        for (int i = 0; i < length; i++) {
            name.append(
                    random.nextInt(12) == 0 ? NASTY[random.nextInt(NASTY.length)] : (char) ('a' + random.nextInt(26)));
        }
        return name.toString();
    }

    private String data() {
        return switch (random.nextInt(7)) {
            case 0 -> "\"" + "d".repeat(random.nextInt(3000)) + "\""; // around the 2048-byte limit
            case 1 -> "{\"n\":" + (random.nextBoolean() ? "-" : "") + "9".repeat(1 + random.nextInt(400)) + "}";
            case 2 -> "{\"a\":[1,2,{\"b\":" + "[".repeat(random.nextInt(3000)) + "}"; // deep or unclosed nesting
            case 3 -> "\"" + name() + "\"";
            case 4 -> "null";
            case 5 -> "{\"x\":\"" + name() + "\"}";
            default -> "\"\\u" + Integer.toHexString(random.nextInt(0x10000)) + "\"";
        };
    }

    private String garbageCursor() {
        String[] shapes = {
            "", "~", "~~", "x~1", "abc~-5", "e~99999999999999999999", "e~1,2,3", "a:1,b:-1", "\u0000", "%00", "😀~1"
        };
        return random.nextBoolean() ? shapes[random.nextInt(shapes.length)] : name();
    }

    private static byte[] request(String method, String path, String headers, byte[] body) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
                + (method.equals("POST") ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static String describe(byte[] input) {
        String text = new String(input, 0, Math.min(input.length, 300), StandardCharsets.ISO_8859_1);
        return text.replaceAll("[^\\x20-\\x7e]", "?") + (input.length > 300 ? "... (" + input.length + " bytes)" : "");
    }
}
