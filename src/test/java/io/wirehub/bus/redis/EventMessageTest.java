package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventMessageTest {
    private static final UUID ORIGIN = UUID.randomUUID();

    @Test
    void anyDataSurvivesTheRoundTrip() {
        String awkward = "quotes \" backslash \\ newline \n cr \r tab \t accents \u00e9 emoji \uD83D\uDE00 "
                + "x".repeat(70_000);
        for (Event event : new Event[] {
            new Event("a", 1, null, "", false, 0),
            new Event("orders.eu:1", Long.MAX_VALUE, "created", "{\"id\":1}", true, 1_700_000_000_000L),
            new Event("t", 42, "t".repeat(100), awkward, false, -1)
        }) {
            RedisBusIT.assertSameEvent(event, EventMessage.decode(EventMessage.encode(ORIGIN, event)));
        }
    }

    @Test
    void ownMessagesAreRecognisedWithoutDecoding() {
        byte[] message = EventMessage.encode(ORIGIN, new Event("t", 1, null, "x", false, 0));
        assertTrue(EventMessage.isFrom(message, ORIGIN));
        assertFalse(EventMessage.isFrom(message, UUID.randomUUID()));
        assertFalse(EventMessage.isFrom(new byte[3], ORIGIN));
    }

    @Test
    void namesAndDataAPublisherCouldNotSendOverHttpAreRefused() {
        for (Event forged : new Event[] {
            new Event("t", 1, "x\n\nid: 1\ndata: injected", "d", false, 0),
            new Event("bad topic", 1, null, "d", false, 0),
            new Event("t", 1, null, "nul \0 inside", false, 0)
        }) {
            byte[] message = EventMessage.encode(ORIGIN, forged);
            assertThrows(EventMessage.MalformedMessageException.class, () -> EventMessage.decode(message));
        }
    }

    @Test
    void malformedMessagesAreRefusedWithAReason() {
        byte[] valid = EventMessage.encode(ORIGIN, new Event("t", 1, "e", "data", false, 0));
        byte[] wrongVersion = valid.clone();
        wrongVersion[0] = 9;
        byte[] unknownFlag = valid.clone();
        unknownFlag[17] = 8;
        byte[] badUtf8 = valid.clone();
        badUtf8[valid.length - 1] = (byte) 0xff;
        byte[] negativeLength = valid.clone();
        ByteBuffer.wrap(negativeLength).putInt(valid.length - 8, -1);
        byte[] seqZero = valid.clone();
        ByteBuffer.wrap(seqZero).putLong(18, 0);

        for (byte[] message : new byte[][] {
            new byte[0],
            "plain text".getBytes(),
            wrongVersion,
            unknownFlag,
            badUtf8,
            negativeLength,
            seqZero,
            Arrays.copyOf(valid, valid.length - 1),
            Arrays.copyOf(valid, valid.length + 1),
            Arrays.copyOf(valid, 20)
        }) {
            assertThrows(
                    EventMessage.MalformedMessageException.class,
                    () -> EventMessage.decode(message),
                    () -> Arrays.toString(message));
        }
    }
}
