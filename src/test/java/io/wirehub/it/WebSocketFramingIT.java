package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.RawStreams;
import io.wirehub.testing.TestHubs;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket stream writes a batch of frames in one socket write. Read at the byte level, a
 * burst must still be one well-formed frame per message (FIN, text, unmasked, the right length),
 * in seq order, with a ping from the client answered in the middle of it.
 */
class WebSocketFramingIT {
    private static final int EVENTS = 800;
    // ~300 bytes of data: the burst is ~280 KB, several of the sink's 64 KB writes.
    private static final String DATA = "x".repeat(300);
    private static final byte[] PING_PAYLOAD = "mid-burst".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aBurstArrivesAsOneWellFormedMessagePerEventInOrderWithAPingAnsweredMidBurst() throws Exception {
        // A queue smaller than the burst: part of it overflows and is caught up from the store,
        // the largest batches there are.
        try (WireHub hub = TestHubs.start(Map.of("WH_WS_CHANNEL_BUFFER", "64"));
                Socket socket = RawStreams.open(hub.port(), RawStreams.webSocket("topic=burst"))) {
            String head = RawStreams.readHead(socket);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            JsonNode ready = Http.JSON.readTree(readFrame(in, 0x1));
            assertEquals("ready", ready.get("op").asText());

            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < EVENTS; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append("{\"topic\":\"burst\",\"data\":\"")
                        .append(DATA)
                        .append("\"}");
            }
            Http.Response response = Http.post(
                    TestHubs.base(hub) + "/v1/events", batch.append("]").toString());
            assertEquals(201, response.status(), response.body());

            long expected = 1;
            boolean pongSeen = false;
            while (expected <= EVENTS || !pongSeen) {
                int first = in.readUnsignedByte();
                byte[] payload = readPayload(in, first);
                switch (first & 0x0F) {
                    case 0x1 -> {
                        JsonNode event = Http.JSON.readTree(payload);
                        assertEquals(expected, event.get("seq").asLong(), "messages in seq order, one per event");
                        assertEquals(DATA, event.get("data").asText());
                        if (expected == 1) {
                            control(
                                    socket.getOutputStream(),
                                    0x89,
                                    PING_PAYLOAD); // answered while the rest of the burst is written
                        }
                        expected++;
                    }
                    case 0xA -> {
                        assertTrue(Arrays.equals(PING_PAYLOAD, payload), "the pong echoes the ping");
                        pongSeen = true;
                    }
                    case 0x9 ->
                        control(
                                socket.getOutputStream(),
                                0x8A,
                                payload); // a server heartbeat: answered, as browsers do
                    default ->
                        throw new AssertionError("unexpected frame, opcode " + (first & 0x0F) + ": "
                                + new String(payload, StandardCharsets.UTF_8) + " after " + (expected - 1) + " events");
                }
            }
            assertEquals(EVENTS + 1, expected);
        }
    }

    /** Reads one frame, which must have the given opcode; returns its payload. */
    private static byte[] readFrame(DataInputStream in, int opcode) throws IOException {
        int first = in.readUnsignedByte();
        assertEquals(opcode, first & 0x0F);
        return readPayload(in, first);
    }

    /** Checks the rest of a server frame's header (after its first byte) and reads its payload. */
    private static byte[] readPayload(DataInputStream in, int first) throws IOException {
        assertEquals(0x80, first & 0xF0, "FIN set, no RSV bits: one whole frame per message");
        int second = in.readUnsignedByte();
        assertEquals(0, second & 0x80, "server frames are not masked");
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
            assertTrue(length >= 126, "the shortest length encoding");
        } else if (length == 127) {
            length = in.readLong();
            assertTrue(length >= 1 << 16, "the shortest length encoding");
        }
        byte[] payload = in.readNBytes((int) length);
        assertEquals(length, payload.length, "the whole payload before the connection ended");
        return payload;
    }

    /** A client's control frame (FIN + opcode), masked (clients must mask) with a zero key. */
    private static void control(OutputStream out, int finAndOpcode, byte[] payload) throws IOException {
        byte[] frame = new byte[6 + payload.length]; // a control frame's payload is at most 125 bytes
        frame[0] = (byte) finAndOpcode;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        out.write(frame);
        out.flush();
    }
}
