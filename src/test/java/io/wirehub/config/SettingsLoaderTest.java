package io.wirehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsApplyWithoutAFile() {
        Settings settings = SettingsLoader.load(null, Map.of());
        assertEquals(64, settings.server().sseChannelBuffer());
        assertEquals(Duration.ofSeconds(15), settings.server().heartbeatInterval());
        assertEquals(100, settings.store().replayLimit());
        assertEquals("memory", settings.store().type());
    }

    @Test
    void environmentBeatsTheFileWhichBeatsTheDefault() throws IOException {
        Path file = write("server:\n  sse_channel_buffer: 16\n  ws_channel_buffer: 32\nstore:\n  replay_limit: 7\n");
        Settings settings = SettingsLoader.load(file, Map.of("WH_SSE_CHANNEL_BUFFER", "8"));
        assertEquals(8, settings.server().sseChannelBuffer());
        assertEquals(32, settings.server().wsChannelBuffer());
        assertEquals(7, settings.store().replayLimit());
    }

    @Test
    void theShippedFilesAreValid() {
        Settings embedded = SettingsLoader.load(Path.of("config/application.yaml"), Map.of());
        assertEquals("memory", embedded.store().type());
        assertFalse(embedded.auth().jwt(), "the demo needs no token");
        Settings production =
                SettingsLoader.load(Path.of("config/production.yaml"), Map.of("WH_AUTH_JWT_SECRET", "s".repeat(32)));
        assertEquals("postgres", production.store().type());
        assertEquals("redis", production.bus().type());
        assertTrue(production.auth().jwt());
    }

    @Test
    void jwtWithoutAKeyOrWithAShortSecretIsRefusedAndTheSecretIsNeverShown() {
        InvalidSettingsException none = assertThrows(
                InvalidSettingsException.class, () -> SettingsLoader.load(null, Map.of("WH_AUTH_MODE", "jwt")));
        assertTrue(
                none.problems().getFirst().contains("needs exactly one of WH_AUTH_JWT_SECRET"),
                none.problems().toString());
        InvalidSettingsException shortSecret = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_SECRET", "hunter2-short")));
        assertTrue(shortSecret.problems().getFirst().contains("at least 32 bytes"));
        assertFalse(shortSecret.problems().toString().contains("hunter2"), "the secret is not echoed");
        Settings ok = SettingsLoader.load(
                null, Map.of("WH_AUTH_MODE", "jwt", "WH_AUTH_JWT_SECRET", "hunter2-" + "x".repeat(32)));
        assertFalse(ok.toString().contains("hunter2"), ok.toString());
    }

    @Test
    void aPreviousSecretNeedsASecretAndThirtyTwoBytesAndIsNeverShown() {
        String secret = "current-" + "x".repeat(32);
        InvalidSettingsException alone = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(
                        null,
                        Map.of(
                                "WH_AUTH_MODE",
                                "jwt",
                                "WH_AUTH_JWT_PUBLIC_KEY_FILE",
                                "pom.xml",
                                "WH_AUTH_JWT_PREVIOUS_SECRET",
                                "hunter2-" + "x".repeat(32))));
        assertTrue(
                alone.problems()
                        .toString()
                        .contains("WH_AUTH_JWT_PREVIOUS_SECRET (auth.jwt.previous_secret): is set but"
                                + " auth.jwt.secret (WH_AUTH_JWT_SECRET) is not"),
                alone.problems().toString());
        InvalidSettingsException shortOne = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(
                        null,
                        Map.of(
                                "WH_AUTH_MODE",
                                "jwt",
                                "WH_AUTH_JWT_SECRET",
                                secret,
                                "WH_AUTH_JWT_PREVIOUS_SECRET",
                                "hunter2-short")));
        assertEquals(1, shortOne.problems().size(), shortOne.problems().toString());
        assertTrue(
                shortOne.problems().getFirst().startsWith("WH_AUTH_JWT_PREVIOUS_SECRET"),
                shortOne.problems().getFirst());
        assertFalse(shortOne.problems().toString().contains("hunter2"), "the secret is not echoed");
        Settings ok = SettingsLoader.load(
                null,
                Map.of(
                        "WH_AUTH_MODE",
                        "jwt",
                        "WH_AUTH_JWT_SECRET",
                        secret,
                        "WH_AUTH_JWT_PREVIOUS_SECRET",
                        "hunter2-" + "x".repeat(32)));
        assertFalse(ok.toString().contains("hunter2"), ok.toString());
    }

    @Test
    void anyOriginWithACookieIsRefusedSayingWhy() {
        InvalidSettingsException e = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(
                        null,
                        Map.of(
                                "WH_CORS_ALLOWED_ORIGINS",
                                "https://app.example.com, *",
                                "WH_AUTH_COOKIE_NAME",
                                "wh_token")));
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(
                e.problems()
                        .getFirst()
                        .startsWith("WH_CORS_ALLOWED_ORIGINS (server.cors.allowed_origins): '*' cannot go with"
                                + " WH_AUTH_COOKIE_NAME"),
                e.problems().getFirst());
        assertTrue(e.problems().getFirst().contains("every web site could then read and stream as the logged-in user"));
        SettingsLoader.load(
                null, Map.of("WH_CORS_ALLOWED_ORIGINS", "*")); // no cookie: a foreign page has no token to send
        SettingsLoader.load(
                null, Map.of("WH_CORS_ALLOWED_ORIGINS", "https://app.example.com", "WH_AUTH_COOKIE_NAME", "wh_token"));
    }

    @Test
    void unknownKeysInTheFileAreRefusedSoTyposDoNotFallBackSilently() throws IOException {
        Path file = write("server:\n  sse_chanel_buffer: 16\n");
        InvalidSettingsException e =
                assertThrows(InvalidSettingsException.class, () -> SettingsLoader.load(file, Map.of()));
        assertTrue(e.problems().getFirst().startsWith("server.sse_chanel_buffer"), e.getMessage());
    }

    @Test
    void anUnknownKeyNamesTheKeyItWasProbablyMeantToBe() throws IOException {
        assertEquals(
                List.of(
                        "server.sse_chanel_buffer (in " + dir.resolve("wirehub.yaml")
                                + "): unknown key; did you mean server.sse_channel_buffer? the keys are listed in docs/configuration.md"),
                refusal("server:\n  sse_chanel_buffer: 16\n"));
        assertTrue(
                refusal("server:\n  sse_buffer: 16\n").getFirst().contains("did you mean server.sse_channel_buffer?"));
        assertTrue(refusal("server:\n  heartbeat_intervall: 5s\n")
                .getFirst()
                .contains("did you mean server.heartbeat_interval?"));
        assertTrue(refusal("store:\n  replay_limt: 5\n").getFirst().contains("did you mean store.replay_limit?"));
    }

    @Test
    void anUnknownKeyFarFromEveryKnownOneGetsNoGuess() throws IOException {
        List<String> problems = refusal("server:\n  colour: blue\n");
        assertFalse(problems.getFirst().contains("did you mean"), problems.toString());
        assertTrue(
                problems.getFirst().endsWith("unknown key; the keys are listed in docs/configuration.md"),
                problems.toString());
    }

    @Test
    void unknownWhVariablesAreWarnedWithTheNearestKnownOneAndDoNotStopTheStart() {
        Map<String, String> env = Map.of(
                "WH_HEARTBEAT",
                "1s",
                "WH_SSE_BUFFER",
                "abc",
                "WH_PROT",
                "9000",
                "WH_COLOUR",
                "blue",
                "WH_HEARTBEAT_INTERVAL",
                "5s",
                "HOME",
                "/root");
        assertEquals(
                List.of(
                        "WH_COLOUR is not a wirehub variable and is ignored; the variables are listed in docs/configuration.md",
                        "WH_HEARTBEAT is not a wirehub variable and is ignored; did you mean WH_HEARTBEAT_INTERVAL?",
                        "WH_PROT is not a wirehub variable and is ignored; did you mean WH_PORT?",
                        "WH_SSE_BUFFER is not a wirehub variable and is ignored; did you mean WH_SSE_CHANNEL_BUFFER?"),
                SettingsLoader.unknownVariables(env));
        assertEquals(
                Duration.ofSeconds(5),
                SettingsLoader.load(null, env).server().heartbeatInterval(),
                "the start goes on");
    }

    @Test
    void theLaunchersVariablesAreNotWarnedAbout() {
        Map<String, String> env = Map.of(
                "WH_HEAP_OPTS",
                "-Xmx2g",
                "WH_JVM_PERFORMANCE_OPTS",
                "-XX:+UseG1GC",
                "WH_JAVA_OPTS",
                "-Dx=1",
                "WH_AOT_CACHE",
                "none");
        assertEquals(List.of(), SettingsLoader.unknownVariables(env));
    }

    private List<String> refusal(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThrows(InvalidSettingsException.class, () -> SettingsLoader.load(file, Map.of()))
                .problems();
    }

    @Test
    void secretsNeverAppearInProblems() {
        InvalidSettingsException e = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_BUS_REDIS_URL", "http://user:hunter2@host")));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("WH_BUS_REDIS_URL"));
    }

    @Test
    void durationsNeedAUnitAndARange() {
        assertThrows(InvalidSettingsException.class, () -> SettingsLoader.load(null, Map.of("WH_WRITE_TIMEOUT", "10")));
        assertThrows(
                InvalidSettingsException.class, () -> SettingsLoader.load(null, Map.of("WH_WRITE_TIMEOUT", "1ms")));
        assertEquals(
                Duration.ofMillis(500),
                SettingsLoader.load(null, Map.of("WH_WRITE_TIMEOUT", "500ms"))
                        .server()
                        .writeTimeout());
    }

    @Test
    void aMemoryStoreWithTheRedisBusIsRefusedSayingWhyAmongTheOtherProblems() {
        InvalidSettingsException e = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_BUS_TYPE", "redis", "WH_PORT", "http")));
        assertEquals(2, e.problems().size(), e.getMessage());
        String problem = e.problems().stream()
                .filter(p -> p.contains("WH_BUS_TYPE"))
                .findFirst()
                .orElseThrow();
        assertTrue(problem.startsWith("WH_BUS_TYPE (bus.type): 'redis'"), problem);
        assertTrue(problem.contains("store.type (WH_STORE_TYPE) is 'memory'"), problem);
        assertTrue(problem.contains("same seqs") && problem.contains("postgres"), problem);

        assertEquals(
                "redis",
                SettingsLoader.load(null, Map.of("WH_BUS_TYPE", "redis", "WH_STORE_TYPE", "postgres"))
                        .bus()
                        .type());
    }

    @Test
    void aRedisClusterBusNeedsItsNodesAsHostPortAndOneProblemLineEach() {
        InvalidSettingsException missing = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(
                        null,
                        Map.of(
                                "WH_STORE_TYPE",
                                "postgres",
                                "WH_BUS_TYPE",
                                "redis-cluster",
                                "WH_BUS_REDIS_SHARDS",
                                "0")));
        assertEquals(2, missing.problems().size(), missing.getMessage());
        assertTrue(
                missing.problems()
                        .getFirst()
                        .startsWith("WH_BUS_REDIS_SHARDS (bus.redis.shards): '0' is not valid; expected"),
                missing.getMessage());
        assertTrue(
                missing.problems()
                        .get(1)
                        .startsWith(
                                "bus.redis.nodes (WH_BUS_REDIS_NODES): is empty, but WH_BUS_TYPE (bus.type) is 'redis-cluster'"),
                missing.getMessage());

        InvalidSettingsException bad = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(
                        null,
                        Map.of(
                                "WH_STORE_TYPE",
                                "postgres",
                                "WH_BUS_TYPE",
                                "redis-cluster",
                                "WH_BUS_REDIS_NODES",
                                "10.0.0.5:7000,10.0.0.6")));
        assertEquals(
                List.of("WH_BUS_REDIS_NODES (bus.redis.nodes): '10.0.0.6' is not valid; expected host:port items, like"
                        + " 10.0.0.5:7000,10.0.0.6:7000, as a YAML list or comma-separated"),
                bad.problems());

        Settings good = SettingsLoader.load(
                null,
                Map.of(
                        "WH_STORE_TYPE",
                        "postgres",
                        "WH_BUS_TYPE",
                        "redis-cluster",
                        "WH_BUS_REDIS_NODES",
                        " 10.0.0.5:7000 , cache-2:7001"));
        assertEquals(
                List.of("10.0.0.5:7000", "cache-2:7001"), good.bus().redis().nodes());
    }

    @Test
    void printedSettingsMaskEveryPasswordButKeepTheRest() {
        Settings settings = SettingsLoader.load(
                null,
                Map.of(
                        "WH_STORE_TYPE", "postgres",
                        "WH_STORE_POSTGRES_URL",
                                "jdbc:postgresql://db:5432/app?user=wh&password=pg-secret&sslpassword=ssl-secret",
                        "WH_STORE_POSTGRES_PASSWORD", "field-secret",
                        "WH_BUS_TYPE", "redis",
                        "WH_BUS_REDIS_URL", "redis://app:redis-secret@cache:6380/2"));
        String printed = settings.toString();
        for (String secret : new String[] {"pg-secret", "ssl-secret", "field-secret", "redis-secret"}) {
            assertFalse(printed.contains(secret), secret + " printed in " + printed);
        }
        assertTrue(printed.contains("jdbc:postgresql://db:5432/app?user=wh&password=****&sslpassword=****"), printed);
        assertTrue(printed.contains("redis://app:****@cache:6380/2"), printed);
        assertTrue(printed.contains("password=****,"), printed);
        assertEquals(
                "Redis[url=redis://:****@cache, channel=c, pingInterval=PT5S, pingTimeout=PT5S, routing=channel, shards=64, nodes=[]]",
                new Settings.Redis("redis://:s3cret@cache", "c", Duration.ofSeconds(5), Duration.ofSeconds(5))
                        .toString());
        assertEquals(
                "Redis[url=redis://cache:6379, channel=c, pingInterval=PT5S, pingTimeout=PT5S, routing=channel, shards=64, nodes=[]]",
                new Settings.Redis("redis://cache:6379", "c", Duration.ofSeconds(5), Duration.ofSeconds(5)).toString());
    }

    // Every list-valued key takes a YAML list, a comma-separated string in the file, and the comma form in its
    // variable.

    @Test
    void corsOriginsTakeAYamlListACommaSeparatedStringOrTheVariable() throws IOException {
        List<String> origins = List.of("https://app.example", "http://localhost:3000");
        assertEquals(
                origins,
                load("server:\n  cors:\n    allowed_origins: [\"https://app.example\", \"http://localhost:3000\"]\n")
                        .auth()
                        .corsAllowedOrigins());
        assertEquals(
                origins,
                load("server:\n  cors:\n    allowed_origins:\n      - https://app.example\n      - http://localhost:3000\n")
                        .auth()
                        .corsAllowedOrigins());
        assertEquals(
                origins,
                load("server:\n  cors:\n    allowed_origins: \"https://app.example, http://localhost:3000\"\n")
                        .auth()
                        .corsAllowedOrigins());
        assertEquals(
                origins,
                SettingsLoader.load(
                                write("server:\n  cors:\n    allowed_origins: [\"https://other.example\"]\n"),
                                Map.of("WH_CORS_ALLOWED_ORIGINS", "https://app.example,http://localhost:3000"))
                        .auth()
                        .corsAllowedOrigins());
        assertEquals(
                List.of(),
                load("server:\n  cors:\n    allowed_origins: []\n").auth().corsAllowedOrigins());
    }

    @Test
    void redisNodesTakeAYamlListACommaSeparatedStringOrTheVariable() throws IOException {
        String cluster = "store:\n  type: postgres\nbus:\n  type: redis-cluster\n  redis:\n";
        List<String> nodes = List.of("10.0.0.5:7000", "cache-2:7001");
        assertEquals(
                nodes,
                load(cluster + "    nodes: [\"10.0.0.5:7000\", \"cache-2:7001\"]\n")
                        .bus()
                        .redis()
                        .nodes());
        assertEquals(
                nodes,
                load(cluster + "    nodes:\n      - 10.0.0.5:7000\n      - cache-2:7001\n")
                        .bus()
                        .redis()
                        .nodes());
        assertEquals(
                nodes,
                load(cluster + "    nodes: 10.0.0.5:7000,cache-2:7001\n")
                        .bus()
                        .redis()
                        .nodes());
        assertEquals(
                nodes,
                SettingsLoader.load(
                                write(cluster + "    nodes: [\"10.9.9.9:7000\"]\n"),
                                Map.of("WH_BUS_REDIS_NODES", "10.0.0.5:7000, cache-2:7001"))
                        .bus()
                        .redis()
                        .nodes());
        assertTrue(refusal(cluster + "    nodes: []\n")
                .getFirst()
                .startsWith("bus.redis.nodes (WH_BUS_REDIS_NODES): is empty"));
    }

    @Test
    void loggerLevelsTakeAYamlListACommaSeparatedStringOrTheVariable() throws IOException {
        Map<String, String> levels = Map.of("io.helidon.webserver", "debug", "com.zaxxer.hikari", "info");
        assertEquals(
                levels,
                load("log:\n  levels: [\"io.helidon.webserver=debug\", \"com.zaxxer.hikari=INFO\"]\n")
                        .log()
                        .levels());
        assertEquals(
                levels,
                load("log:\n  levels:\n    - io.helidon.webserver = debug\n    - com.zaxxer.hikari=info\n")
                        .log()
                        .levels());
        assertEquals(
                levels,
                load("log:\n  levels: io.helidon.webserver=debug,com.zaxxer.hikari=info\n")
                        .log()
                        .levels());
        assertEquals(
                levels,
                SettingsLoader.load(null, Map.of("WH_LOG_LEVELS", "io.helidon.webserver=debug,com.zaxxer.hikari=info"))
                        .log()
                        .levels());
        assertEquals(Map.of(), SettingsLoader.load(null, Map.of()).log().levels());
    }

    @Test
    void aBadItemIsNamedAloneWithItsKeyWhateverTheForm() throws IOException {
        assertEquals(
                List.of(
                        "server.cors.allowed_origins (WH_CORS_ALLOWED_ORIGINS): 'https://app.example/' is not valid; expected"
                                + " origins like https://app.example.com (no path, no trailing slash), or *, as a YAML list or comma-separated"),
                refusal("server:\n  cors:\n    allowed_origins: [\"https://ok.example\", \"https://app.example/\"]\n"));
        assertTrue(refusal("log:\n  levels: [\"io.helidon=loud\"]\n")
                .getFirst()
                .startsWith(
                        "log.levels (WH_LOG_LEVELS): 'io.helidon=loud' is not valid; expected logger=level items like io.helidon.webserver=debug,"
                                + " the level one of off, error, warning, info, debug, trace"));
        InvalidSettingsException fromVariable = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_LOG_LEVELS", "io.helidon=debug,hikari")));
        assertTrue(
                fromVariable.problems().getFirst().startsWith("WH_LOG_LEVELS (log.levels): 'hikari' is not valid"),
                fromVariable.getMessage());
    }

    @Test
    void aListWhereOneValueGoesOrAMapWhereAListGoesIsRefusedNamingTheKey() throws IOException {
        Path file = dir.resolve("wirehub.yaml");
        assertEquals(
                List.of("server.port (in " + file + "): expected a single value, not a list"),
                refusal("server:\n  port: [8080, 8081]\n"));
        assertEquals(
                List.of("server.cors.allowed_origins (in " + file
                        + "): expected a YAML list of values, or one comma-separated string"),
                refusal("server:\n  cors:\n    allowed_origins:\n      https: app.example\n"));
        assertEquals(
                List.of("server.cors.allowed_origin (in " + file
                        + "): unknown key; did you mean server.cors.allowed_origins?"
                        + " the keys are listed in docs/configuration.md"),
                refusal("server:\n  cors:\n    allowed_origin: [\"https://a.example\"]\n"));
    }

    @Test
    void logLevelAndFormatAreChecked() {
        Settings.Log log = SettingsLoader.load(null, Map.of("WH_LOG_LEVEL", "DEBUG", "WH_LOG_FORMAT", "json"))
                .log();
        assertEquals("debug", log.level());
        assertTrue(log.json());
        InvalidSettingsException e = assertThrows(
                InvalidSettingsException.class,
                () -> SettingsLoader.load(null, Map.of("WH_LOG_LEVEL", "verbose", "WH_LOG_FORMAT", "logfmt")));
        assertEquals(
                List.of(
                        "WH_LOG_LEVEL (log.level): 'verbose' is not valid; expected one of off, error, warning, info, debug, trace",
                        "WH_LOG_FORMAT (log.format): 'logfmt' is not valid; expected one of text, json"),
                e.problems());
    }

    private Settings load(String yaml) throws IOException {
        return SettingsLoader.load(write(yaml), Map.of());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("wirehub.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
