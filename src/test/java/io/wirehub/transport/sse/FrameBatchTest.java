package io.wirehub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBatchTest {

    /** Records each write it is given, as the response stream sees it (one write, one HTTP chunk). */
    static final class Writes extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
            writes.add(copy);
            all.writeBytes(copy);
        }
    }

    @Test
    void aBatchOfFramesReachesTheResponseAsOneWrite() throws Exception {
        Writes out = new Writes();
        FrameBatch batch = new FrameBatch();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String frame = "id: " + i + "\ndata: {\"n\":" + i + "}\n\n";
            batch.add(frame.getBytes(StandardCharsets.US_ASCII), out);
            expected.append(frame);
        }
        assertEquals(0, out.writes.size(), "nothing is written before the batch ends");
        batch.sendTo(out);
        assertEquals(1, out.writes.size());
        assertEquals(expected.toString(), out.all.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aLargeBatchGoesOutInBoundedWritesInOrder() throws Exception {
        Writes out = new Writes();
        FrameBatch batch = new FrameBatch();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            byte[] frame = ("id: " + i + "\ndata: " + "x".repeat(150) + "\n\n").getBytes(StandardCharsets.US_ASCII);
            batch.add(frame, out);
            expected.writeBytes(frame);
        }
        batch.sendTo(out);
        assertTrue(out.writes.size() > 1, "a batch past " + FrameBatch.MAX_WRITE_BYTES + " bytes is split");
        for (byte[] write : out.writes) {
            assertTrue(write.length <= FrameBatch.MAX_WRITE_BYTES, "write of " + write.length + " bytes");
        }
        assertArrayEquals(expected.toByteArray(), out.all.toByteArray(), "every byte, in order");
    }

    @Test
    void aFrameLargerThanTheBoundIsWrittenWhole() throws Exception {
        Writes out = new Writes();
        FrameBatch batch = new FrameBatch();
        batch.add("retry: 1000\n\n".getBytes(StandardCharsets.US_ASCII), out);
        byte[] big = ("data: " + "y".repeat(FrameBatch.MAX_WRITE_BYTES * 2) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        batch.add(big, out);
        batch.sendTo(out);
        assertEquals(2, out.writes.size(), "what was gathered, then the large frame");
        assertArrayEquals(big, out.writes.get(1));
    }

    @Test
    void anEmptyBatchWritesNothing() throws Exception {
        Writes out = new Writes();
        new FrameBatch().sendTo(out);
        assertEquals(0, out.writes.size());
    }
}
