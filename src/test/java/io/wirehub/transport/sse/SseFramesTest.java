package io.wirehub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.wirehub.event.Event;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseFramesTest {

    @Test
    void sseBodySplitsEveryKindOfLineBreakIntoDataLines() {
        Event event = new Event("t", 1, "note", "a\r\nb\rc\nd", false, 0);
        assertEquals(
                "event: note\ndata: a\ndata: b\ndata: c\ndata: d\n\n",
                new String(event.encoded(SseFrames.BODY), StandardCharsets.UTF_8));
    }

    @Test
    void sseBodyKeepsLeadingSpacesAndEmptyLines() {
        Event event = new Event("t", 1, null, "  x\n\n", false, 0);
        assertEquals(
                "data:   x\ndata: \ndata: \n\n", new String(event.encoded(SseFrames.BODY), StandardCharsets.UTF_8));
    }

    @Test
    void sseIdLineIsTheStampedCursorWrittenIntoTheStreamsBuffer() {
        byte[] buffer = new byte[64];
        buffer[SseFrames.idLineLength("e1", "a:4,b:17")] = '!'; // what follows the line stays
        SseFrames.writeIdLine(buffer, "e1", "a:4,b:17");
        assertEquals(
                "id: e1~a:4,b:17\n!",
                new String(buffer, 0, SseFrames.idLineLength("e1", "a:4,b:17") + 1, StandardCharsets.US_ASCII));
    }

    @Test
    void theBodyIsBuiltOnceAndSharedByEveryStream() {
        Event event = new Event("t", 1, null, "data", false, 0);
        assertSame(event.encoded(SseFrames.BODY), event.encoded(SseFrames.BODY));
    }
}
