package io.wirehub.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 chunked body, decoded (RFC 9112, "Chunked Transfer Coding"): the test clients that
 * read a stream off a raw socket read its SSE through this. Ends at the last (zero) chunk.
 */
final class ChunkedBody extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedBody(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (done) {
            return -1;
        }
        if (left == 0) {
            String size = line(in);
            if (size.isEmpty()) {
                size = line(in); // the CRLF that ends the previous chunk
            }
            if (size.isEmpty()) {
                done = true;
                return -1;
            }
            left = Long.parseLong(size.split(";")[0].trim(), 16);
            if (left == 0) {
                done = true;
                return -1;
            }
        }
        int read = in.read(buffer, offset, (int) Math.min(length, left));
        if (read < 0) {
            done = true;
            return -1;
        }
        left -= read;
        return read;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** One CRLF- or LF-ended line, ASCII, without its end. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
