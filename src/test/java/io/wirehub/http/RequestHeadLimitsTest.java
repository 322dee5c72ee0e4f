package io.wirehub.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.SettingsLoader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The arithmetic behind the request-line limit, at the largest stream the config accepts. */
class RequestHeadLimitsTest {
    private static final int CAP = RequestHeadLimits.MAX_TOPICS_PER_STREAM;

    @Test
    void theWorstWebSocketResumeAtTheCapFitsTheRequestLine() {
        List<String> topics =
                IntStream.range(0, CAP).mapToObj(i -> ":".repeat(200)).toList(); // same length as distinct ones
        String cursor = "z".repeat(32) + "~"
                + topics.stream().map(t -> t + ":" + "9".repeat(18)).collect(Collectors.joining(","));
        String line =
                "GET /v1/ws?" + topics.stream().map(t -> "topic=" + encode(t)).collect(Collectors.joining("&"))
                        + "&access_token=" + "t".repeat(8192) + "&lastEventId=" + encode(cursor) + " HTTP/1.1";
        assertTrue(
                line.length() <= RequestHeadLimits.prologueBytes(CAP),
                line.length() + " > " + RequestHeadLimits.prologueBytes(CAP));
        String header = "Last-Event-ID: " + cursor;
        assertTrue(
                header.length() <= RequestHeadLimits.headerBytes(CAP) - 16 * 1024,
                "the cursor alone fits beside 16 KiB of other headers");
    }

    @Test
    void theConfigRefusesMoreTopicsPerStreamThanTheLimitsAreSizedFor() {
        assertEquals(
                CAP,
                SettingsLoader.load(null, Map.of("WH_MAX_TOPICS_PER_STREAM", String.valueOf(CAP)))
                        .server()
                        .maxTopicsPerStream());
        assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_MAX_TOPICS_PER_STREAM", String.valueOf(CAP + 1))));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
