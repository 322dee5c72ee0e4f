package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A retried publish with the same Idempotency-Key gets the original seq and stores nothing more. */
class IdempotentPublishIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void theSameKeyTwiceGivesOneEventAndTheSameSeq() {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            Http.Response first = publish(base, "idem.one", "k-1", "a");
            Http.Response retry = publish(base, "idem.one", "k-1", "a");
            assertEquals(201, retry.status());
            assertEquals(first.json().get("seq"), retry.json().get("seq"));
            assertEquals(1, seq(base, "idem.one"), "stored once");
            assertEquals(
                    2,
                    publish(base, "idem.one", "k-2", "b").json().get("seq").asLong(),
                    "another key is another event");
            assertEquals(400, publish(base, "idem.one", "has space", "c").status(), "a key with a space is refused");
            assertEquals(2, seq(base, "idem.one"));
        }
    }

    @Test
    void twoThreadsWithTheSameKeyAtOnceGetOneEventAndBothItsSeq() throws Exception {
        try (WireHub hub = TestHubs.start()) {
            assertRaceGivesOneEvent(TestHubs.base(hub), TestHubs.base(hub));
        }
    }

    @Test
    void aRetriedBatchStoresOnlyTheEventsWhoseKeysAreNew() {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            JsonNode first = Http.post(
                            base + "/v1/events",
                            "[{\"topic\":\"idem.b\",\"data\":\"x\",\"id_key\":\"b1\"},"
                                    + "{\"topic\":\"idem.b\",\"data\":\"y\"}]")
                    .json();
            JsonNode retry = Http.post(
                            base + "/v1/events",
                            "[{\"topic\":\"idem.b\",\"data\":\"x\",\"id_key\":\"b1\"},"
                                    + "{\"topic\":\"idem.b\",\"data\":\"z\",\"id_key\":\"b2\"}]")
                    .json();
            assertEquals(first.get("events").get(0), retry.get("events").get(0), "b1 answers its original seq");
            assertEquals(3, retry.get("events").get(1).get("seq").asLong());
            assertEquals(3, seq(base, "idem.b"), "x once, y, z");
        }
    }

    @Test
    void onPostgresTwoInstancesShareTheKeys() throws Exception {
        try (WireHub first = TestHubs.start(schema.env());
                WireHub second = TestHubs.start(schema.env())) {
            String a = TestHubs.base(first);
            String b = TestHubs.base(second);
            long seq = publish(a, "idem.pg", "pg-1", "x").json().get("seq").asLong();
            assertEquals(
                    seq,
                    publish(b, "idem.pg", "pg-1", "x").json().get("seq").asLong(),
                    "the retry went to the other instance");
            assertEquals(1, seq(a, "idem.pg"));
            assertRaceGivesOneEvent(a, b);
        }
    }

    @Test
    void keysOfDifferentSubjectsNeverMeetWhateverTheyContain() {
        assertScopesKeptApart(Map.of());
    }

    @Test
    void onPostgresKeysOfDifferentSubjectsNeverMeetWhateverTheyContain() {
        assertScopesKeptApart(schema.env());
    }

    /** "a|b" + "c" and "a" + "b|c" once met as "a|b|c"; a token without sub met sub "". */
    private static void assertScopesKeptApart(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("WH_AUTH_MODE", "jwt");
        all.put("WH_AUTH_JWT_SECRET", new String(SECRET, java.nio.charset.StandardCharsets.UTF_8));
        try (WireHub hub = TestHubs.start(all)) {
            String base = TestHubs.base(hub);
            String topic = "idem.scope." + Long.toString(System.nanoTime(), 36);
            List<String[]> subjectAndKey = java.util.Arrays.asList(
                    new String[] {"a|b", "c"}, new String[] {"a", "b|c"}, new String[] {null, "k"}, new String[] {
                        "", "k"
                    });
            List<Long> seqs = new java.util.ArrayList<>();
            for (String[] one : subjectAndKey) {
                Http.Response response =
                        Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                                .header("Authorization", "Bearer " + token(one[0]))
                                .header("Idempotency-Key", one[1])
                                .POST(HttpRequest.BodyPublishers.ofString("x"))
                                .build());
                assertEquals(201, response.status(), response.body());
                seqs.add(response.json().get("seq").asLong());
            }
            assertEquals(
                    List.of(1L, 2L, 3L, 4L), seqs, "four publishers, four events: none answered with another's seq");
        }
    }

    private static final byte[] SECRET =
            "idempotency-scopes-secret-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static String token(String subject) {
        return Tokens.hs256(
                SECRET,
                Tokens.claims(
                                subject,
                                List.of(),
                                List.of("idem.*"),
                                java.time.Instant.now().plusSeconds(60))
                        .build());
    }

    /** Two publishes with one key, released together (on one instance or two): one event, one seq. */
    private static void assertRaceGivesOneEvent(String baseA, String baseB) throws Exception {
        String topic = "idem.race";
        long before = seq(baseA, topic);
        CyclicBarrier start = new CyclicBarrier(2);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            List<CompletableFuture<Http.Response>> calls = List.of(baseA, baseB).stream()
                    .map(base -> CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    start.await();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                return publish(base, topic, "race-" + before, "r");
                            },
                            threads))
                    .toList();
            Http.Response one = calls.get(0).get();
            Http.Response two = calls.get(1).get();
            assertEquals(201, one.status(), one.body());
            assertEquals(201, two.status(), two.body());
            assertEquals(one.json().get("seq"), two.json().get("seq"), "both callers get the one event's seq");
        }
        assertEquals(before + 1, seq(baseA, topic));
        assertTrue(seq(baseB, topic) == before + 1);
    }

    private static Http.Response publish(String base, String topic, String key, String data) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + topic + "/events"))
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(data))
                .build());
    }

    private static long seq(String base, String topic) {
        return Http.get(base + "/v1/topics/" + topic + "/snapshot?limit=1")
                .json()
                .get("seq")
                .asLong();
    }
}
