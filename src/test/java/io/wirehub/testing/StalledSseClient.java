package io.wirehub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An SSE subscriber on a raw socket that does not read until told to: the slow or stalled
 * client. A small receive buffer makes the server's writes block soon. {@link #startReading()}
 * then parses the (chunked) stream like a normal client.
 */
public final class StalledSseClient implements AutoCloseable {
    private final Socket socket;
    private SseClient reader;

    public StalledSseClient(int port, String pathAndQuery) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Starts reading: status line and headers, then the chunked body as SSE events. */
    public SseClient startReading() throws IOException {
        InputStream in = socket.getInputStream();
        String statusLine = ChunkedBody.line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        boolean chunked = false;
        String header;
        while (!(header = ChunkedBody.line(in)).isEmpty()) {
            if (header.equalsIgnoreCase("transfer-encoding: chunked")) {
                chunked = true;
            }
        }
        reader = new SseClient(status, chunked ? new ChunkedBody(in) : in);
        return reader;
    }

    /**
     * Bytes the server sent that this client has not read: they wait in its kernel receive
     * buffer, so this grows while the server writes and stops once the buffer is full.
     */
    public int bytesWaiting() {
        try {
            return socket.getInputStream().available();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Closes without a goodbye: a reset, as when a client vanishes. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // gone anyway
        }
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        abort();
    }
}
