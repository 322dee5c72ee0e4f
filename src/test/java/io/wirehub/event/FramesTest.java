package io.wirehub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
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
        assertEquals("{\"topic\":\"t\",\"seq\":3,\"id\":\"e1~3\",\"data\":{\"a\":1}}", textPayload(json, "e1", "3", 2));
        Event text = new Event("t", 4, "x", "say \"hi\"\n\u0001", false, 0);
        assertEquals("{\"topic\":\"t\",\"seq\":4,\"id\":\"e1~t:4,u:0\",\"event\":\"x\",\"data\":\"say \\\"hi\\\"\\n\\u0001\"}",
                textPayload(text, "e1", "t:4,u:0", 2));
    }

    @Test
    void webSocketFramesCarryTheirLengthIn7Or16Or64Bits() {
        for (int dataLength : new int[] {10, 125 - 40, 200, 70_000}) {
            Event event = new Event("t", 9, null, "é".repeat(dataLength / 2), false, 0); // 2 bytes a char in UTF-8
            int payload = WsFrames.eventPayloadLength(event, "e1", "9");
            int header = WsFrames.headerLength(payload);
            assertEquals(payload < 126 ? 2 : payload < 65536 ? 4 : 10, header);
            String expected = "{\"topic\":\"t\",\"seq\":9,\"id\":\"e1~9\",\"data\":\"" + "é".repeat(dataLength / 2) + "\"}";
            assertEquals(expected, textPayload(event, "e1", "9", header));
        }
    }

    /** Encodes the event's frame, checks its header (FIN, text, unmasked, the length) and returns the payload. */
    private static String textPayload(Event event, String epoch, String token, int headerLength) {
        int payload = WsFrames.eventPayloadLength(event, epoch, token);
        byte[] frame = new byte[3 + headerLength + payload + 3]; // in the middle of a larger buffer
        int end = WsFrames.writeEvent(frame, 3, event, epoch, token);
        assertEquals(frame.length - 3, end);
        assertEquals((byte) 0x81, frame[3], "FIN and the text opcode");
        long length = frame[4] & 0x7F;
        assertEquals(0, frame[4] & 0x80, "server frames are not masked");
        if (headerLength == 4) {
            assertEquals(126, length);
            length = ((frame[5] & 0xFF) << 8) | (frame[6] & 0xFF);
        } else if (headerLength == 10) {
            assertEquals(127, length);
            length = ByteBuffer.wrap(frame, 5, 8).getLong();
        }
        assertEquals(payload, length);
        return new String(frame, 3 + headerLength, payload, StandardCharsets.UTF_8);
    }

    @Test
    void sseIdLineIsTheStampedCursorWrittenIntoTheStreamsBuffer() {
        byte[] buffer = new byte[64];
        buffer[SseFrames.idLineLength("e1", "a:4,b:17")] = '!'; // what follows the line stays
        SseFrames.writeIdLine(buffer, "e1", "a:4,b:17");
        assertEquals("id: e1~a:4,b:17\n!", new String(buffer, 0, SseFrames.idLineLength("e1", "a:4,b:17") + 1, StandardCharsets.US_ASCII));
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
