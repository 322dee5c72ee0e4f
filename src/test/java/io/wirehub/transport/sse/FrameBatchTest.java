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
        byte[] big =
                ("data: " + "y".repeat(FrameBatch.MAX_WRITE_BYTES * 2) + "\n\n").getBytes(StandardCharsets.US_ASCII);
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

    @Test
    void aBatchBorrowsASharedBufferAndGivesItBackAfterTheWrite() throws Exception {
        WriteBuffers pool = new WriteBuffers(2);
        FrameBatch first = new FrameBatch(pool);
        FrameBatch second = new FrameBatch(pool);
        FrameBatch third = new FrameBatch(pool);
        Writes out = new Writes();
        first.add("data: 1\n\n".getBytes(StandardCharsets.US_ASCII), out);
        second.add("data: 2\n\n".getBytes(StandardCharsets.US_ASCII), out);
        assertEquals(0, pool.available(), "two batches under way hold both buffers");
        third.add("data: 3\n\n".getBytes(StandardCharsets.US_ASCII), out); // none left: an array of its own
        third.sendTo(out);
        first.sendTo(out);
        second.sendTo(out);
        assertEquals(2, pool.available(), "both given back after their writes; the third's own array is not kept");
        assertEquals("data: 3\n\ndata: 1\n\ndata: 2\n\n", out.all.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aBufferIsGivenBackEvenWhenTheWriteFails() {
        WriteBuffers pool = new WriteBuffers(1);
        FrameBatch batch = new FrameBatch(pool);
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("client gone");
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("client gone");
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> {
            batch.add("data: x\n\n".getBytes(StandardCharsets.US_ASCII), broken);
            batch.sendTo(broken);
        });
        assertEquals(1, pool.available());
    }

    @Test
    void aFrameLargerThanASharedBufferDoesNotShrinkThePool() throws Exception {
        WriteBuffers pool = new WriteBuffers(1);
        FrameBatch batch = new FrameBatch(pool);
        Writes out = new Writes();
        byte[] small = "data: s\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] big = ("data: " + "z".repeat(WriteBuffers.SIZE) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        batch.add(small, out); // borrows the pooled buffer
        batch.add(big, out); // writes the small frame, then needs more than the buffer holds
        batch.sendTo(out);
        assertEquals(1, pool.available(), "the pooled buffer came back; the grown array did not take its place");
        assertArrayEquals(big, out.writes.get(1));
    }
}
