package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.wirehub.app.WireHub;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.InstalledTool;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/prometheus-alerts.yml, the alerts docs/metrics.md recommends: every meter they name is one
 * a real wirehub exports (a renamed meter would silence its alert for good), Prometheus's own
 * checker accepts them, and the ones that join series fire as meant (promtool's rule tests).
 */
class PrometheusAlertsIT {
    private static final Path RULES = Path.of("config/prometheus-alerts.yml");
    private static final Path RULE_TESTS = Path.of("src/test/resources/prometheus/alerts-test.yml");
    // wirehub's meters and the JVM and process meters of its Prometheus client; `up` is Prometheus's own.
    private static final Pattern METER = Pattern.compile("\\b(?:wirehub|jvm|process)_[a-z_]+\\b");

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @TempDir
    Path dir;

    @Test
    void everyMeterTheAlertsNameIsExportedByAWirehubOnPostgresAndRedis() {
        Set<String> named = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher meter = METER.matcher(expr);
            while (meter.find()) {
                named.add(meter.group());
            }
        }
        assertTrue(named.size() >= 25, "the rules name wirehub's meters: " + named);
        Map<String, String> env = new HashMap<>(schema.env()); // the pool meters come with PostgreSQL
        env.putAll(TestRedis.env(TestRedis.channel())); // the bus meters with Redis
        env.put("WH_BUS_TYPE", "redis");
        try (WireHub hub = TestHubs.start(env)) {
            Scrape scrape = Scrape.of(TestHubs.base(hub));
            List<String> missing =
                    named.stream().filter(name -> !scrape.has(name)).toList();
            assertEquals(List.of(), missing, "meters the alerts name but /metrics does not export");
        }
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirTestsPassAndPrometheusYmlLoadsThem() throws Exception {
        Path promtool = InstalledTool.find("promtool");
        Assumptions.assumeTrue(promtool != null, "no promtool here: apt-get install prometheus (.ci/run does)");
        InstalledTool.Result check =
                InstalledTool.run(Path.of("."), promtool.toString(), "check", "rules", RULES.toString());
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("SUCCESS: " + expressions().size() + " rules found"), check.output());

        InstalledTool.Result tests =
                InstalledTool.run(Path.of("."), promtool.toString(), "test", "rules", RULE_TESTS.toString());
        assertEquals(0, tests.exitCode(), tests.output());

        // config/prometheus.yml (make dev-obs) loads the rules from beside it, as perf/obs.sh copies them.
        Files.writeString(
                dir.resolve("prometheus.yml"),
                Files.readString(Path.of("config/prometheus.yml")).replace("__TARGETS__", "'127.0.0.1:8081'"));
        Files.copy(RULES, dir.resolve("prometheus-alerts.yml"));
        InstalledTool.Result config = InstalledTool.run(dir, promtool.toString(), "check", "config", "prometheus.yml");
        assertEquals(0, config.exitCode(), config.output());
        assertTrue(config.output().contains("SUCCESS: " + expressions().size() + " rules found"), config.output());
    }

    /** Every rule's expression, read as Prometheus reads the file: YAML, groups of rules. */
    private static List<String> expressions() {
        Config rules = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableFilterServices()
                .sources(ConfigSources.file(RULES))
                .build();
        return rules.get("groups").asNodeList().orElseThrow().stream()
                .flatMap(group -> group.get("rules").asNodeList().orElseThrow().stream())
                .map(rule -> rule.get("expr").asString().orElseThrow())
                .toList();
    }
}
