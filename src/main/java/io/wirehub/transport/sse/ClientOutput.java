package io.wirehub.transport.sse;

import io.helidon.webserver.ServerConnectionException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An SSE response's output stream on which a client that left shows as an {@link IOException},
 * the way the hub tells a stream's normal end ({@code client_gone}) from a failure. Helidon 4.5
 * reports a failed socket write of a chunked response as its own unchecked
 * {@link ServerConnectionException} (4.2.3 threw an {@code UncheckedIOException}).
 */
final class ClientOutput extends OutputStream {
    private final OutputStream response;

    ClientOutput(OutputStream response) {
        this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
        try {
            response.write(b);
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            response.write(bytes, offset, length);
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            response.flush();
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            response.close();
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    private static IOException gone(ServerConnectionException e) {
        return new IOException("the client is gone: " + e.getMessage(), e);
    }
}
