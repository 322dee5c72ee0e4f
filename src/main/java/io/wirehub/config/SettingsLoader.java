package io.wirehub.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reads the YAML file and the {@code WH_*} environment variables into {@link Settings}.
 *
 * <p>Precedence: environment variable, then the file, then the built-in default. Every problem is
 * collected before failing, so one start-up attempt lists them all, one line each: the key (and
 * its variable), the value (unless secret), and what is accepted. Nothing is clamped silently.
 */
public final class SettingsLoader {
    // NOTE: operators' files use these names; io.wirehub.app.Logging maps them to java.util.logging's.
    private static final List<String> LOG_LEVELS = List.of("off", "error", "warning", "info", "debug", "trace");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Map<String, ConfigKey> BY_KEY =
            Stream.of(ConfigKey.values()).collect(Collectors.toMap(ConfigKey::key, key -> key));
    // The YAML maps that hold keys (server, server.cors, store.postgres, ...), to walk into.
    private static final Set<String> SECTIONS = BY_KEY.keySet().stream()
            .flatMap(key -> IntStream.range(0, key.length())
                    .filter(i -> key.charAt(i) == '.')
                    .mapToObj(i -> key.substring(0, i)))
            .collect(Collectors.toSet());
    private static final Set<String> KNOWN_VARIABLES =
            Stream.of(ConfigKey.values()).map(ConfigKey::env).collect(Collectors.toSet());
    // NOTE: read by the launcher, bin/wirehub (src/dist/bin/wirehub), before the JVM starts; not
    // settings, but not unknown either: the image, the unit and the manifests set them.
    private static final Set<String> LAUNCHER_VARIABLES =
            Set.of("WH_HEAP_OPTS", "WH_JVM_PERFORMANCE_OPTS", "WH_JAVA_OPTS", "WH_AOT_CACHE");
    private static final System.Logger LOG = System.getLogger(SettingsLoader.class.getName());

    private final Map<ConfigKey, String> raw = new HashMap<>();
    private final Map<ConfigKey, List<String>> lists = new HashMap<>(); // the items of the list-valued keys
    private final Map<ConfigKey, String> origin = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private SettingsLoader() {}

    /**
     * @param file the YAML file, or null for the defaults built into the jar
     * @param env the process environment (only the {@code WH_*} names in {@link ConfigKey} are read)
     * @throws InvalidSettingsException listing every problem
     */
    public static Settings load(Path file, Map<String, String> env) {
        SettingsLoader loader = new SettingsLoader();
        loader.read(file, env);
        Settings settings = loader.parse();
        if (!loader.problems.isEmpty()) {
            throw new InvalidSettingsException(loader.problems);
        }
        return settings;
    }

    /**
     * Logs {@link #unknownVariables}. Apart from {@link #load} so that it runs once the log is set
     * up as the settings say (log.format json).
     */
    public static void warnAboutUnknownVariables(Map<String, String> env) {
        unknownVariables(env).forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
    }

    /**
     * One warning per {@code WH_*} variable that is not wirehub's, with the nearest one when it is
     * close. Only warned, not refused as unknown file keys are: the environment is shared with
     * other software, and a deployment that sets one extra variable should not stop starting.
     * Only the name is printed, never the value (it may be a secret).
     */
    static List<String> unknownVariables(Map<String, String> env) {
        return env.keySet().stream()
                .filter(name -> name.startsWith("WH_") && !knows(name))
                .sorted()
                .map(name -> name + " is not a wirehub variable and is ignored; "
                        + NearestName.to(name, KNOWN_VARIABLES)
                                .map(near -> "did you mean " + near + "?")
                                .orElse("the variables are listed in docs/configuration.md"))
                .toList();
    }

    /** Whether {@code WH_*} variable {@code name} means something to wirehub: a setting or a launcher variable. */
    public static boolean knows(String name) {
        return KNOWN_VARIABLES.contains(name) || LAUNCHER_VARIABLES.contains(name);
    }

    private void read(Path file, Map<String, String> env) {
        FileValues fromFile = new FileValues();
        if (file != null) {
            if (!Files.isReadable(file)) {
                problems.add("config file " + file + ": cannot be read; pass an existing YAML file to --config");
            } else {
                try {
                    fromFile.collect(root(ConfigSources.file(file).build()), file);
                } catch (RuntimeException e) {
                    problems.add("config file " + file + ": not valid YAML (" + e.getMessage() + ")");
                }
            }
        }
        for (ConfigKey key : ConfigKey.values()) {
            String value = env.get(key.env());
            if (value != null) {
                raw.put(key, tidy(key, value));
                origin.put(key, key.env());
            } else if (fromFile.lists.containsKey(key)) {
                lists.put(key, fromFile.lists.get(key));
                raw.put(key, String.join(",", fromFile.lists.get(key)));
                origin.put(key, key.key());
            } else if (fromFile.scalars.containsKey(key)) {
                raw.put(key, tidy(key, fromFile.scalars.get(key)));
                origin.put(key, key.key());
            } else {
                raw.put(key, key.defaultValue());
                origin.put(key, key.key() + " (default)");
            }
            if (key.list() && !lists.containsKey(key)) { // the comma-separated form
                lists.put(
                        key,
                        Stream.of(raw.get(key).split(","))
                                .map(String::strip)
                                .filter(item -> !item.isEmpty())
                                .toList());
            }
        }
    }

    /** Stray spaces around a value are dropped, except in secrets, which are taken as given. */
    private static String tidy(ConfigKey key, String value) {
        return key.secret() ? value : value.trim();
    }

    private static Config root(ConfigSource source) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableFilterServices()
                .sources(() -> source)
                .build();
    }

    /**
     * The file's values by key: a scalar as its text, a YAML list (of list-valued keys only) as its
     * items. A key that is not wirehub's, or a value of the wrong shape, is a problem.
     */
    private final class FileValues {
        final Map<ConfigKey, String> scalars = new HashMap<>();
        final Map<ConfigKey, List<String>> lists = new HashMap<>();

        void collect(Config node, Path file) {
            String name = node.key().toString();
            ConfigKey key = BY_KEY.get(name);
            List<Config> children =
                    node.isLeaf() ? List.of() : node.asNodeList().orElse(List.of());
            if (key == null && (name.isEmpty() || (node.type() == Config.Type.OBJECT && SECTIONS.contains(name)))) {
                children.forEach(child -> collect(child, file)); // the root, or a section like server.cors
            } else if (key == null) {
                problems.add(name + " (in " + file + "): unknown key; "
                        + NearestName.to(name, BY_KEY.keySet())
                                .map(near -> "did you mean " + near + "? ")
                                .orElse("") + "the keys are listed in docs/configuration.md");
            } else if (node.type() == Config.Type.VALUE) {
                scalars.put(key, node.asString().orElse(""));
            } else if (key.list()
                    && node.type() == Config.Type.LIST
                    && children.stream().allMatch(Config::isLeaf)) {
                lists.put(
                        key,
                        children.stream()
                                .map(item -> item.asString().orElse("").strip())
                                .filter(item -> !item.isEmpty())
                                .toList());
            } else {
                problems.add(name + " (in " + file + "): "
                        + (key.list()
                                ? "expected a YAML list of values, or one comma-separated string"
                                : "expected a single value, not a "
                                        + (node.type() == Config.Type.LIST ? "list" : "map")));
            }
        }
    }

    private Settings parse() {
        Settings.Server server = new Settings.Server(
                text(ConfigKey.HOST),
                integer(ConfigKey.PORT, 0, 65535),
                integer(ConfigKey.MAX_CONNECTIONS, 1, 1_000_000),
                integer(ConfigKey.SSE_CHANNEL_BUFFER, 1, 1_000_000),
                integer(ConfigKey.WS_CHANNEL_BUFFER, 1, 1_000_000),
                choice(ConfigKey.OVERFLOW_POLICY, "catch-up", "disconnect"),
                duration(ConfigKey.HEARTBEAT_INTERVAL, Duration.ofMillis(50), Duration.ofHours(1)),
                duration(ConfigKey.WRITE_TIMEOUT, Duration.ofMillis(50), Duration.ofHours(1)),
                duration(ConfigKey.WS_PONG_TIMEOUT, Duration.ofMillis(50), Duration.ofHours(1)),
                duration(ConfigKey.RECONNECT_RETRY, Duration.ofMillis(100), Duration.ofMinutes(10)),
                integer(ConfigKey.MAX_EVENT_BYTES, 1, 16 * 1024 * 1024),
                integer(ConfigKey.MAX_BATCH_BYTES, 1, 256 * 1024 * 1024),
                integer(ConfigKey.MAX_BATCH_EVENTS, 1, 100_000),
                // At most 256: past it the request line that resumes a WebSocket would pass 317 KiB
                // (io.wirehub.http.RequestHeadLimits; config knows nothing of http, so the number is here).
                integer(ConfigKey.MAX_TOPICS_PER_STREAM, 1, 256),
                integer(ConfigKey.SOCKET_SEND_BUFFER, 0, 64 * 1024 * 1024),
                duration(ConfigKey.DRAIN_TIMEOUT, Duration.ZERO, Duration.ofMinutes(10)),
                integer(ConfigKey.MANAGEMENT_PORT, -1, 65535),
                duration(ConfigKey.MAX_LAG, Duration.ofMillis(100), Duration.ofHours(1)),
                raw.get(ConfigKey.MANAGEMENT_HOST),
                duration(ConfigKey.HEADER_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5)),
                integer(ConfigKey.MAX_WAITING_PER_ADDRESS, 0, 1_000_000),
                integer(ConfigKey.MAX_STREAMS_PER_SUBJECT, 0, 1_000_000),
                integer(ConfigKey.MAX_STREAMS_PER_ADDRESS, 0, 1_000_000),
                duration(ConfigKey.SHUTDOWN_DELAY, Duration.ZERO, Duration.ofMinutes(10)),
                tls(),
                choice(ConfigKey.H2C_UPGRADE, "false", "true").equals("true"));
        Settings.Store store = new Settings.Store(
                choice(ConfigKey.STORE_TYPE, "memory", "postgres"),
                integer(ConfigKey.REPLAY_LIMIT, 1, 100_000),
                integer(ConfigKey.MEMORY_MAX_EVENTS_PER_TOPIC, 1, 10_000_000),
                number(ConfigKey.MEMORY_MAX_BYTES, 1L << 20, 1L << 40),
                integer(ConfigKey.MEMORY_MAX_TOPICS, 1, 10_000_000),
                duration(ConfigKey.RETENTION, Duration.ZERO, Duration.ofDays(3650)),
                integer(ConfigKey.MAX_EVENTS_PER_TOPIC, 1, Integer.MAX_VALUE),
                new Settings.Postgres(
                        prefixed(ConfigKey.POSTGRES_URL, "jdbc:postgresql://"),
                        text(ConfigKey.POSTGRES_USER),
                        raw.get(ConfigKey.POSTGRES_PASSWORD),
                        identifier(ConfigKey.POSTGRES_SCHEMA),
                        integer(ConfigKey.POSTGRES_POOL_SIZE, 2, 1000)));
        Settings.Bus bus = new Settings.Bus(
                choice(ConfigKey.BUS_TYPE, "local", "redis", "redis-cluster"),
                new Settings.Redis(
                        prefixed(ConfigKey.REDIS_URL, "redis://", "rediss://"),
                        text(ConfigKey.REDIS_CHANNEL),
                        duration(ConfigKey.REDIS_PING_INTERVAL, Duration.ofMillis(50), Duration.ofMinutes(10)),
                        duration(ConfigKey.REDIS_PING_TIMEOUT, Duration.ofMillis(50), Duration.ofMinutes(10)),
                        choice(ConfigKey.REDIS_ROUTING, "channel", "interest"),
                        integer(ConfigKey.REDIS_SHARDS, 1, 16384),
                        hostPorts(ConfigKey.REDIS_NODES)));
        if (bus.type().equals("redis-cluster")
                && lists.get(ConfigKey.REDIS_NODES).isEmpty()) {
            problems.add(
                    where(ConfigKey.REDIS_NODES) + ": is empty, but " + where(ConfigKey.BUS_TYPE)
                            + " is 'redis-cluster'; expected one or more host:port of the cluster's nodes, as a YAML list or comma-separated");
        }
        if (store.type().equals("memory") && bus.type().startsWith("redis")) {
            // Each instance's memory store counts seqs on its own: two instances give the same seq
            // to different events, and every hub drops the other's as duplicates. Silent loss.
            problems.add(
                    where(ConfigKey.BUS_TYPE) + ": '" + bus.type() + "' needs a store the instances share, but "
                            + where(ConfigKey.STORE_TYPE)
                            + " is 'memory': each instance would give the same seqs to different events"
                            + " and drop the others' as duplicates; expected store.type postgres, or bus.type local for a single instance");
        }
        Settings.Publish publish = new Settings.Publish(
                duration(ConfigKey.PUBLISH_IDEMPOTENCY_TTL, Duration.ofSeconds(1), Duration.ofDays(30)),
                integer(ConfigKey.PUBLISH_RATE_LIMIT, 0, 1_000_000),
                duration(ConfigKey.PUBLISH_OVERLOAD_WAIT, Duration.ZERO, Duration.ofMinutes(1)),
                number(ConfigKey.PUBLISH_MAX_PENDING_DELIVERIES, 1, 1L << 40));
        Settings.Log log = new Settings.Log(
                choice(ConfigKey.LOG_LEVEL, LOG_LEVELS.toArray(String[]::new)),
                choice(ConfigKey.LOG_FORMAT, "text", "json"),
                loggerLevels());
        return new Settings(server, store, bus, auth(), publish, log);
    }

    /**
     * The auth settings. With {@code jwt}, exactly one source of keys: a shared secret long enough
     * for HS256, or a readable public key or JWKS file (parsed when the server starts).
     */
    private Settings.Auth auth() {
        Settings.Auth auth = new Settings.Auth(
                choice(ConfigKey.AUTH_MODE, "none", "jwt"),
                raw.get(ConfigKey.AUTH_COOKIE_NAME),
                origins(),
                raw.get(ConfigKey.AUTH_JWT_SECRET),
                raw.get(ConfigKey.AUTH_JWT_PREVIOUS_SECRET),
                raw.get(ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE),
                raw.get(ConfigKey.AUTH_JWT_JWKS_FILE),
                raw.get(ConfigKey.AUTH_JWT_ISSUER),
                raw.get(ConfigKey.AUTH_JWT_AUDIENCE),
                duration(ConfigKey.AUTH_JWT_CLOCK_SKEW, Duration.ZERO, Duration.ofMinutes(5)),
                duration(ConfigKey.AUTH_JWT_KEY_FILE_CHECK, Duration.ofMillis(100), Duration.ofHours(1)));
        if (!auth.cookieName().isEmpty() && !auth.cookieName().matches("[A-Za-z0-9_.-]{1,64}")) {
            problem(
                    ConfigKey.AUTH_COOKIE_NAME,
                    "a cookie name of 1 to 64 characters from A-Z a-z 0-9 _ . -, or empty for none");
        }
        // A browser sends the cookie on every site's requests: with "*" any web page could read
        // snapshots and admin data, and open streams, as the logged-in user.
        if (!auth.cookieName().isEmpty() && auth.corsAllowedOrigins().contains("*")) {
            problems.add(
                    where(ConfigKey.CORS_ALLOWED_ORIGINS) + ": '*' cannot go with " + where(ConfigKey.AUTH_COOKIE_NAME)
                            + " '" + auth.cookieName()
                            + "': every web site could then read and stream as the logged-in user with"
                            + " their cookie; expected the origins of your own pages (https://app.example.com), or no cookie");
        }
        if (!auth.jwt()) {
            return auth;
        }
        List<ConfigKey> sources = Stream.of(
                        ConfigKey.AUTH_JWT_SECRET, ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE, ConfigKey.AUTH_JWT_JWKS_FILE)
                .filter(key -> !raw.get(key).isEmpty())
                .toList();
        if (sources.size() != 1) {
            problems.add(where(ConfigKey.AUTH_MODE) + ": 'jwt' needs exactly one of " + ConfigKey.AUTH_JWT_SECRET.env()
                    + " (HS256), "
                    + ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE.key() + " or " + ConfigKey.AUTH_JWT_JWKS_FILE.key()
                    + " (RS256/ES256); "
                    + (sources.isEmpty()
                            ? "none is set"
                            : "set are " + sources.stream().map(ConfigKey::key).toList()));
        }
        // HS256 with fewer than 256 bits of key is refused by the JWT library, and guessable.
        for (ConfigKey secret : List.of(ConfigKey.AUTH_JWT_SECRET, ConfigKey.AUTH_JWT_PREVIOUS_SECRET)) {
            if (!raw.get(secret).isEmpty()
                    && raw.get(secret).getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                problem(secret, "at least 32 bytes (256 bits), e.g. from: openssl rand -base64 48");
            }
        }
        if (!auth.previousSecret().isEmpty() && auth.jwtSecret().isEmpty()) {
            problems.add(where(ConfigKey.AUTH_JWT_PREVIOUS_SECRET) + ": is set but " + where(ConfigKey.AUTH_JWT_SECRET)
                    + " is not; expected the new secret in " + ConfigKey.AUTH_JWT_SECRET.env()
                    + " and the old one, still accepted"
                    + " during a rotation, in " + ConfigKey.AUTH_JWT_PREVIOUS_SECRET.env());
        }
        for (ConfigKey file : List.of(ConfigKey.AUTH_JWT_PUBLIC_KEY_FILE, ConfigKey.AUTH_JWT_JWKS_FILE)) {
            if (!raw.get(file).isEmpty() && !Files.isReadable(Path.of(raw.get(file)))) {
                problem(file, "a readable file");
            }
        }
        return auth;
    }

    /** Both PEM files or neither; each must be readable (what is in them is checked when the server starts). */
    private Settings.Tls tls() {
        Settings.Tls tls = new Settings.Tls(
                raw.get(ConfigKey.TLS_CERT_FILE),
                raw.get(ConfigKey.TLS_KEY_FILE),
                duration(ConfigKey.TLS_RELOAD_INTERVAL, Duration.ofSeconds(1), Duration.ofDays(1)));
        if (tls.certFile().isEmpty() != tls.keyFile().isEmpty()) {
            ConfigKey set = tls.certFile().isEmpty() ? ConfigKey.TLS_KEY_FILE : ConfigKey.TLS_CERT_FILE;
            ConfigKey missing = set == ConfigKey.TLS_KEY_FILE ? ConfigKey.TLS_CERT_FILE : ConfigKey.TLS_KEY_FILE;
            problems.add(
                    where(missing) + ": is empty, but " + where(set) + " is set; TLS needs both the certificate chain"
                            + " and its private key (PEM), or neither for cleartext");
        }
        for (ConfigKey file : List.of(ConfigKey.TLS_CERT_FILE, ConfigKey.TLS_KEY_FILE)) {
            if (!raw.get(file).isEmpty() && !Files.isReadable(Path.of(raw.get(file)))) {
                problem(file, "a readable PEM file");
            }
        }
        return tls;
    }

    /** Origins, each {@code *} or {@code scheme://host[:port]} with no path. */
    private List<String> origins() {
        return items(
                ConfigKey.CORS_ALLOWED_ORIGINS,
                origin -> origin.equals("*") || origin.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?"),
                "origins like https://app.example.com (no path, no trailing slash), or *");
    }

    /**
     * The items of a list-valued key, each checked: the first that fails is the problem, named (not
     * the whole list), so that the operator sees which one to fix.
     */
    private List<String> items(ConfigKey key, Predicate<String> valid, String accepted) {
        List<String> items = lists.get(key);
        for (String item : items) {
            if (!valid.test(item)) {
                problems.add(where(key) + ": '" + item + "' is not valid; expected " + accepted
                        + ", as a YAML list or comma-separated");
                return List.of();
            }
        }
        return items;
    }

    private int integer(ConfigKey key, int min, int max) {
        return (int) number(key, min, max);
    }

    private long number(ConfigKey key, long min, long max) {
        String value = raw.get(key);
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(key, "a whole number from " + min + " to " + max);
        return min;
    }

    private Duration duration(ConfigKey key, Duration min, Duration max) {
        String value = raw.get(key).toLowerCase(Locale.ROOT);
        Matcher matcher = DURATION.matcher(value);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            Duration parsed =
                    switch (matcher.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    };
            if (parsed.compareTo(min) >= 0 && parsed.compareTo(max) <= 0) {
                return parsed;
            }
        }
        problem(
                key,
                "a duration from " + format(min) + " to " + format(max) + ", written like 500ms, 15s, 5m, 2h or 7d");
        return min;
    }

    private String choice(ConfigKey key, String... choices) {
        String value = raw.get(key).toLowerCase(Locale.ROOT);
        for (String choice : choices) {
            if (choice.equals(value)) {
                return choice;
            }
        }
        problem(key, "one of " + String.join(", ", choices));
        return choices[0];
    }

    private String text(ConfigKey key) {
        String value = raw.get(key);
        if (value.isEmpty()) {
            problem(key, "a non-empty value");
        }
        return value;
    }

    private String prefixed(ConfigKey key, String... prefixes) {
        String value = raw.get(key);
        for (String prefix : prefixes) {
            if (value.startsWith(prefix)) {
                return value;
            }
        }
        problem(key, "a URL starting with " + String.join(" or ", prefixes));
        return value;
    }

    /** host:port items, or nothing. */
    private List<String> hostPorts(ConfigKey key) {
        return items(
                key,
                node -> {
                    int colon = node.lastIndexOf(':');
                    return colon > 0
                            && node.substring(colon + 1).matches("[0-9]{1,5}")
                            && Integer.parseInt(node.substring(colon + 1)) <= 65535;
                },
                "host:port items, like 10.0.0.5:7000,10.0.0.6:7000");
    }

    /** logger=level items, in the order given: a later one for the same logger wins. */
    private Map<String, String> loggerLevels() {
        Map<String, String> levels = new LinkedHashMap<>();
        for (String item : items(
                ConfigKey.LOG_LEVELS,
                item -> item.matches("[A-Za-z0-9_.$-]+\\s*=\\s*[A-Za-z]+")
                        && LOG_LEVELS.contains(
                                item.substring(item.indexOf('=') + 1).strip().toLowerCase(Locale.ROOT)),
                "logger=level items like io.helidon.webserver=debug, the level one of "
                        + String.join(", ", LOG_LEVELS))) {
            levels.put(
                    item.substring(0, item.indexOf('=')).strip(),
                    item.substring(item.indexOf('=') + 1).strip().toLowerCase(Locale.ROOT));
        }
        return Collections.unmodifiableMap(levels);
    }

    private String identifier(ConfigKey key) {
        String value = raw.get(key);
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            problem(
                    key,
                    "a lower-case SQL identifier: a-z, 0-9 and _, not starting with a digit, at most 63 characters");
        }
        return value;
    }

    private void problem(ConfigKey key, String accepted) {
        String shown = key.secret() ? "(hidden)" : "'" + raw.get(key) + "'";
        problems.add(where(key) + ": " + shown + " is not valid; expected " + accepted);
    }

    /** The key as the operator set it: its variable first when the value came from the environment. */
    private String where(ConfigKey key) {
        return origin.get(key).equals(key.env())
                ? key.env() + " (" + key.key() + ")"
                : key.key() + " (" + key.env() + ")";
    }

    private static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.toMillis() % 86_400_000 == 0) {
            return duration.toDays() + "d";
        }
        if (duration.toMillis() % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return duration.toMillis() + "ms";
    }
}
