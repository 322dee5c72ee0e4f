package io.wirehub.http;

import io.helidon.http.http2.Http2Stream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.webserver.http.ServerResponse;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.function.BooleanSupplier;

/**
 * Whether the client reset this response's HTTP/2 stream. A browser closing a tab, or an
 * EventSource's {@code close()}, ends an HTTP/2 stream with {@code RST_STREAM} while the
 * connection stays up; Helidon 4.5 marks the stream closed but its writes to it still succeed
 * (the frames are sent and the client drops them), so without this check a stream whose client
 * left would live on, with its queue, its quota and its thread, until the connection closed.
 *
 * <p>Helidon has no public way from a response to its stream: the private {@code stream} field of
 * its HTTP/2 response is read once per class. Should a later Helidon rename it, the start logs a
 * warning and such streams are found as before, by the write deadline once the client's flow
 * control window is full.
 */
public final class ClientReset {
    private static final System.Logger LOG = System.getLogger(ClientReset.class.getName());
    private static final String HTTP2_RESPONSE = "io.helidon.webserver.http2.Http2ServerResponse";
    private static final MethodHandle STREAM = streamField();

    private ClientReset() {}

    /** A check for this response: always false over HTTP/1 (a client that left fails the next write there). */
    public static BooleanSupplier of(ServerResponse response) {
        if (STREAM == null || !response.getClass().getName().equals(HTTP2_RESPONSE)) {
            return ClientReset::never;
        }
        try {
            Http2Stream stream = (Http2Stream) STREAM.invoke(response);
            return () -> stream.streamState() == Http2StreamState.CLOSED;
        } catch (Throwable e) {
            return ClientReset::never;
        }
    }

    private static boolean never() {
        return false;
    }

    private static MethodHandle streamField() {
        try {
            Class<?> type = Class.forName(HTTP2_RESPONSE);
            var field = type.getDeclaredField("stream");
            field.setAccessible(true);
            return MethodHandles.lookup().unreflectGetter(field);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "cannot see HTTP/2 stream resets in this Helidon (" + e
                            + "): an SSE stream its client reset over HTTP/2 ends only at the write deadline");
            return null;
        }
    }
}
