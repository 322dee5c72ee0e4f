package io.wirehub.http;

import io.helidon.webserver.ServerConnectionException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * A streaming response's output stream (SSE, the stats stream) on which a client that left shows as an {@link IOException},
 * the way the hub tells a stream's normal end ({@code client_gone}) from a failure. Helidon 4.5
 * reports a failed socket write of a chunked response as its own unchecked
 * {@link ServerConnectionException} (4.2.3 threw an {@code UncheckedIOException}); a client that
 * reset its HTTP/2 stream is found before each write ({@link ClientReset}).
 */
public final class ClientOutput extends OutputStream {
    private final OutputStream response;
    private final BooleanSupplier reset;

    public ClientOutput(OutputStream response, BooleanSupplier reset) {
        this.response = response;
        this.reset = reset;
    }

    @Override
    public void write(int b) throws IOException {
        checkNotReset();
        try {
            response.write(b);
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        checkNotReset();
        try {
            response.write(bytes, offset, length);
        } catch (ServerConnectionException e) {
            throw gone(e);
        }
    }

    @Override
    public void flush() throws IOException {
        checkNotReset();
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

    private void checkNotReset() throws IOException {
        if (reset.getAsBoolean()) {
            throw new IOException("the client reset its HTTP/2 stream");
        }
    }

    private static IOException gone(ServerConnectionException e) {
        return new IOException("the client is gone: " + e.getMessage(), e);
    }
}
