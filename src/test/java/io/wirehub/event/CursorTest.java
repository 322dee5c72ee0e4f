package io.wirehub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    void singleTopicTokenIsThePlainSeq() {
        assertEquals("17", new Cursor(Map.of("prices", 17L)).token());
        assertEquals(Map.of("prices", 17L), Cursor.parse("17", List.of("prices")));
    }

    @Test
    void multiTopicTokenNamesEveryTopicSortedAndRoundTrips() {
        Cursor cursor = new Cursor(Map.of("b", 2L, "a:x", 5L));
        assertEquals("a:x:5,b:2", cursor.token());
        assertEquals(Map.of("a:x", 5L, "b", 2L), Cursor.parse(cursor.token(), List.of("b", "a:x")));
    }

    @Test
    void topicsTheTokenDoesNotNameStartFreshAndOthersAreIgnored() {
        assertEquals(Map.of("a", 3L), Cursor.parse("a:3,gone:9", List.of("a", "new")));
    }

    @Test
    void emptyTokenMeansStartFromNow() {
        assertEquals(Map.of(), Cursor.parse("", List.of("a")));
        assertEquals(Map.of(), Cursor.parse(null, List.of("a")));
    }

    @Test
    void malformedTokensAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("abc", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("-1", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("5", List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("a:1,,b:2", List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("a:x", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("a:99999999999999999999", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse(":4", List.of("a")));
    }
}
