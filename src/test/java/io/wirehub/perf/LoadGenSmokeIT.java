package io.wirehub.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.testing.TestHubs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * perf/LoadGen.java, the client of the fan-out benchmarks, still speaks wirehub's SSE and
 * WebSocket and still finds every delivery: a second-long run with a few subscribers against a
 * real server must end {@code RESULT ok} with 0 gaps. It times nothing: figures are for perf/.
 */
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

    private static void runAndExpectExact(String transport, int rate) throws Exception {
        try (WireHub hub = TestHubs.start()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Path out = Files.createTempFile("loadgen", ".jsonl");
            Path log = Files.createTempFile("loadgen", ".log");
            Process p = new ProcessBuilder(List.of(java, "perf/LoadGen.java", "--transport", transport,
                    "--port", String.valueOf(hub.port()), "--pid", String.valueOf(ProcessHandle.current().pid()),
                    "--subscribers", "20", "--topics", "2", "--rate", String.valueOf(rate), "--warmup", "0.5", "--cold", "0.2",
                    "--window", "1", "--drain", "10", "--io-threads", "1", "--out", out.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
            assertTrue(output.contains("gaps 0, duplicates 0, reordered 0, streams ended 0, connect failures 0, drained true"), output);
            String json = Files.readString(out);
            Files.delete(out);
            assertTrue(json.contains("\"exact\":true") && json.contains("\"transport\":\"" + transport + "\""), json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
