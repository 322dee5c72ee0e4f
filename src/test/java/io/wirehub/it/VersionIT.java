package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.MainProcess;
import io.wirehub.testing.Pom;
import io.wirehub.testing.Scrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Which release is running, asked the three ways an operator asks it: the start line in the log,
 * the load balancer's /health, and Prometheus' wirehub_build_info. Each says the pom's version,
 * which CHANGELOG.md has an entry for.
 */
class VersionIT {
    private static final Pattern LISTENING =
            Pattern.compile("wirehub listening on http://[^:]+:(\\d+) \\(version: ([^,]+), store: ");

    @Test
    void theStartLineHealthAndMetricsNameThePomsVersion() throws Exception {
        String version = Pom.version();
        MainProcess.Running running =
                MainProcess.start(MainProcess.withDefaultConfig(), Map.of("WH_PORT", "0", "WH_SHUTDOWN_DELAY", "0s"));
        try {
            String[] seen = new String[2];
            Eventually.await("the start line", Duration.ofSeconds(30), () -> {
                Matcher m = LISTENING.matcher(running.out());
                if (m.find()) {
                    seen[0] = m.group(1);
                    seen[1] = m.group(2);
                    return null;
                }
                return running.out() + running.err();
            });
            assertEquals(version, seen[1], running.out());
            String base = "http://127.0.0.1:" + seen[0];

            JsonNode health = Http.get(base + "/health").json();
            assertEquals(version, health.get("version").asText(), health.toString());

            assertEquals(1.0, Scrape.of(base).value("wirehub_build_info", "version", version));
        } finally {
            running.process().destroyForcibly().waitFor();
            Files.deleteIfExists(running.outFile());
            Files.deleteIfExists(running.errFile());
        }
    }

    @Test
    void theChangelogsNewestEntryIsThePomsVersion() throws Exception {
        List<String> releases = Files.readAllLines(Path.of("CHANGELOG.md")).stream()
                .filter(line -> line.startsWith("## "))
                .toList();
        assertTrue(!releases.isEmpty(), "CHANGELOG.md has entries under '## <version> - <date>' headings");
        assertTrue(
                releases.getFirst().matches("## " + Pattern.quote(Pom.version()) + " - \\d{4}-\\d{2}-\\d{2}"),
                "a release's version gets the first entry, '## " + Pom.version() + " - YYYY-MM-DD'; the newest is: "
                        + releases.getFirst());
    }
}
