package io.wirehub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirehub.event.Cursor.Resume;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CursorTest {
    private static final String EPOCH = "3f9a0c1e";

    @Test
    void singleTopicTokenIsThePlainSeqAfterTheEpoch() {
        Cursor cursor = new Cursor(Map.of("prices", 17L));
        assertEquals("17", cursor.token());
        assertEquals("3f9a0c1e~17", Cursor.stamped(EPOCH, cursor.token()));
        assertEquals(positions(Map.of("prices", 17L)), Cursor.parse("3f9a0c1e~17", List.of("prices"), EPOCH));
    }

    @Test
    void aWebSocketCursorNamesItsTopicEvenWhenItHasOne() {
        Cursor cursor = new Cursor(Map.of("prices", 17L, "news", 3L), true);
        cursor.remove("news");
        assertEquals("prices:17", cursor.token());
        assertEquals(
                positions(Map.of("prices", 17L)),
                Cursor.parse("3f9a0c1e~prices:17", List.of("prices", "news"), EPOCH, false));
        assertEquals(
                Resume.NONE.positions(),
                Cursor.parse("3f9a0c1e~prices:17", List.of("other"), EPOCH, false)
                        .positions());
    }

    @Test
    void aServersPlainSeqSentToAWebSocketResetsItsTopicInsteadOfReplaying() {
        assertEquals(
                new Resume(Map.of(), Set.of("prices")), Cursor.parse("3f9a0c1e~17", List.of("prices"), EPOCH, false));
        assertEquals(
                positions(Map.of("prices", 0L)),
                Cursor.parse("0", List.of("prices"), EPOCH, false),
                "hand-written: from the start");
        assertThrows(
                IllegalArgumentException.class, () -> Cursor.parse("3f9a0c1e~17", List.of("a", "b"), EPOCH, false));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("3f9a0c1e~x", List.of("a"), EPOCH, false));
    }

    @Test
    void multiTopicTokenNamesEveryTopicSortedAndRoundTrips() {
        Cursor cursor = new Cursor(Map.of("b", 2L, "a:x", 5L));
        assertEquals("a:x:5,b:2", cursor.token());
        assertEquals(
                positions(Map.of("a:x", 5L, "b", 2L)),
                Cursor.parse(Cursor.stamped(EPOCH, cursor.token()), List.of("b", "a:x"), EPOCH));
    }

    @Test
    void aTokenWithoutAnEpochIsReadAsACursorOfThisStore() {
        assertEquals(positions(Map.of("prices", 17L)), Cursor.parse("17", List.of("prices"), EPOCH));
        assertEquals(positions(Map.of("a", 1L, "b", 2L)), Cursor.parse("a:1,b:2", List.of("a", "b"), EPOCH));
    }

    @Test
    void aTokenOfAnotherEpochNamesItsTopicsAsUnknownAndResumesNone() {
        assertEquals(new Resume(Map.of(), Set.of("prices")), Cursor.parse("0badc0de~500", List.of("prices"), EPOCH));
        assertEquals(
                new Resume(Map.of(), Set.of("a")), Cursor.parse("0badc0de~a:3,gone:9", List.of("a", "new"), EPOCH));
    }

    @Test
    void topicsTheTokenDoesNotNameStartFreshAndOthersAreIgnored() {
        assertEquals(positions(Map.of("a", 3L)), Cursor.parse("3f9a0c1e~a:3,gone:9", List.of("a", "new"), EPOCH));
    }

    @Test
    void emptyTokenMeansStartFromNow() {
        assertEquals(Resume.NONE, Cursor.parse("", List.of("a"), EPOCH));
        assertEquals(Resume.NONE, Cursor.parse(null, List.of("a"), EPOCH));
    }

    @Test
    void malformedTokensAreRefusedWithAReason() {
        for (String bad : List.of(
                "abc",
                "-1",
                "a:1,,b:2",
                "a:x",
                "a:99999999999999999999",
                ":4",
                "~5",
                "3f9a0c1e~",
                "3F9A~5",
                "3f9a0c1e~x",
                "a b~5",
                "a~b~5",
                "3f9a0c1e~a~b:1")) {
            assertThrows(IllegalArgumentException.class, () -> Cursor.parse(bad, List.of("a"), EPOCH), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("5", List.of("a", "b"), EPOCH));
        assertThrows(
                IllegalArgumentException.class,
                () -> Cursor.parse("0badc0de~5", List.of("a", "b"), EPOCH),
                "a token of another epoch is read just as strictly");
    }

    private static Resume positions(Map<String, Long> positions) {
        return new Resume(positions, Set.of());
    }

    @Test
    void theReusedTokenReadsAsTheTokenForOneTopicSeveralAndAWebSocketsPairs() {
        Cursor one = new Cursor(java.util.Map.of("prices", 41L));
        one.advance("prices", 42);
        assertEquals(one.token(), one.reusedToken().toString());
        assertEquals("42", one.reusedToken().toString());
        Cursor several = new Cursor(java.util.Map.of("a", 4L, "b", 17L));
        several.advance("b", 18);
        assertEquals(several.token(), several.reusedToken().toString());
        Cursor pairs = new Cursor(java.util.Map.of("t", 3L), true);
        assertEquals("t:3", pairs.reusedToken().toString());
        assertEquals(pairs.token(), pairs.reusedToken().toString());
    }
}
