package io.wirehub.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.wirehub.event.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WsFramesTest {

    @Test
    void webSocketMessageEmbedsJsonDataAndQuotesText() {
        Event json = new Event("t", 3, null, "{\"a\":1}", true, 0);
        assertEquals("{\"topic\":\"t\",\"seq\":3,\"id\":\"e1~3\",\"data\":{\"a\":1}}", textPayload(json, "e1", "3", 2));
        Event text = new Event("t", 4, "x", "say \"hi\"\n\u0001", false, 0);
        assertEquals(
                "{\"topic\":\"t\",\"seq\":4,\"id\":\"e1~t:4,u:0\",\"event\":\"x\",\"data\":\"say \\\"hi\\\"\\n\\u0001\"}",
                textPayload(text, "e1", "t:4,u:0", 2));
    }

    @Test
    void webSocketFramesCarryTheirLengthIn7Or16Or64Bits() {
        for (int dataLength : new int[] {10, 125 - 40, 200, 70_000}) {
            Event event = new Event("t", 9, null, "é".repeat(dataLength / 2), false, 0); // 2 bytes a char in UTF-8
            int payload = WsFrames.eventPayloadLength(event, "e1", "9");
            int header = WsFrames.headerLength(payload);
            assertEquals(payload < 126 ? 2 : payload < 65536 ? 4 : 10, header);
            String expected =
                    "{\"topic\":\"t\",\"seq\":9,\"id\":\"e1~9\",\"data\":\"" + "é".repeat(dataLength / 2) + "\"}";
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
    void theSharedPartsAreBuiltOnce() {
        Event event = new Event("t", 1, null, "data", false, 0);
        assertSame(event.encoded(WsFrames.HEAD), event.encoded(WsFrames.HEAD));
        assertSame(event.encoded(WsFrames.TAIL), event.encoded(WsFrames.TAIL));
    }
}
