package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.MainProcess;
import io.wirehub.testing.SseClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a supervisor sees when it stops wirehub: the drain said in two lines, then exit 0. */
class SigtermIT {
    private static final Pattern LISTENING = Pattern.compile("wirehub listening on http://[^:]+:(\\d+) ");

    @Test
    void sigtermDrainsTheStreamsSaysSoAndExitsZero() throws Exception {
        MainProcess.Running running = MainProcess.start(MainProcess.withDefaultConfig(), Map.of("WH_PORT", "0"));
        try {
            String[] port = new String[1];
            Eventually.await("the start line", Duration.ofSeconds(30), () -> {
                Matcher m = LISTENING.matcher(running.out());
                if (m.find()) {
                    port[0] = m.group(1);
                    return null;
                }
                return running.out() + running.err();
            });
            try (SseClient stream = SseClient.connect("http://127.0.0.1:" + port[0] + "/v1/sse?topic=stop")) {
                assertEquals(200, stream.status());
                // The server counts a stream once its headers are out: the client may see them first.
                String base = "http://127.0.0.1:" + port[0];
                Eventually.await("the server counts the stream", Duration.ofSeconds(5),
                        () -> Http.stats(base).get("subscribers").get("total").asInt() == 1 ? null : "not yet");
                running.process().destroy(); // SIGTERM
                assertTrue(running.process().waitFor(30, TimeUnit.SECONDS), "it stopped: " + running.out() + running.err());
                Eventually.await("the stream ended by the drain", Duration.ofSeconds(5), () -> stream.ended() ? null : "open");
            }
            assertEquals(0, running.process().exitValue(), "a clean drain exits 0, not 143: " + running.out() + running.err());
            String out = running.out();
            assertTrue(out.contains("wirehub: SIGTERM: draining (1 stream(s) open"), out);
            Matcher drained = Pattern.compile("wirehub: drained in \\d+ ms: 1 stream\\(s\\) ended; exiting").matcher(out);
            assertNotNull(drained.find() ? drained.group() : null, out);
        } finally {
            running.process().destroyForcibly().waitFor();
            Files.deleteIfExists(running.outFile());
            Files.deleteIfExists(running.errFile());
        }
    }
}
