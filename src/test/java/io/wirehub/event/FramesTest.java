package io.wirehub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void sseBodySplitsEveryKindOfLineBreakIntoDataLines() {
        Event event = new Event("t", 1, "note", "a\r\nb\rc\nd", false, 0);
        assertEquals("event: note\ndata: a\ndata: b\ndata: c\ndata: d\n\n", new String(event.sseBody(), StandardCharsets.UTF_8));
    }

    @Test
    void sseBodyKeepsLeadingSpacesAndEmptyLines() {
        Event event = new Event("t", 1, null, "  x\n\n", false, 0);
        assertEquals("data:   x\ndata: \ndata: \n\n", new String(event.sseBody(), StandardCharsets.UTF_8));
    }

    @Test
    void webSocketMessageEmbedsJsonDataAndQuotesText() {
        Event json = new Event("t", 3, null, "{\"a\":1}", true, 0);
        assertEquals("{\"topic\":\"t\",\"seq\":3,\"id\":\"3\",\"data\":{\"a\":1}}", WsFrames.message(json, "3"));
        Event text = new Event("t", 4, "x", "say \"hi\"\n\u0001", false, 0);
        assertEquals("{\"topic\":\"t\",\"seq\":4,\"id\":\"t:4,u:0\",\"event\":\"x\",\"data\":\"say \\\"hi\\\"\\n\\u0001\"}",
                WsFrames.message(text, "t:4,u:0"));
    }

    @Test
    void encodingsAreBuiltOnceAndShared() {
        Event event = new Event("t", 1, null, "data", false, 0);
        assertEquals(System.identityHashCode(event.sseBody()), System.identityHashCode(event.sseBody()));
        assertEquals(System.identityHashCode(event.wsTail()), System.identityHashCode(event.wsTail()));
    }

    @Test
    void resetNoticeNamesTheSnapshot() {
        Reset reset = new Reset("prices", 42, ResetReason.REPLAY_LIMIT);
        assertEquals("{\"topic\":\"prices\",\"seq\":42,\"reason\":\"replay_limit\",\"snapshot\":\"/v1/topics/prices/snapshot\"}",
                reset.json());
    }
}
