package io.wirehub.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * SSE and WebSocket streams on bare sockets: a request written by hand and the response head
 * read, nothing more. Cheap enough (no client library, no thread) to hold thousands of streams,
 * and able to leave the way real clients leave: a clean close, a reset, or not at all.
 */
public final class RawStreams {
    // The 16-byte nonce from RFC 6455's example: the server only echoes a hash of it.
    private static final String WS_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    // A masked close frame, status 1000, with an all-zero mask (clients must mask; zero is allowed).
    private static final byte[] WS_CLOSE = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};

    private RawStreams() {}

    public static String sse(String query, String lastEventId) {
        return "GET /v1/sse?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
    }

    public static String webSocket(String query) {
        return "GET /v1/ws?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + WS_KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Connects and sends the request. */
    public static Socket open(int port, String request) throws IOException {
        return open(port, request, 0);
    }

    /** Connects with the given receive buffer (0: the system's), then sends the request. */
    public static Socket open(int port, String request, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
        }
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads the response's status line and headers; returns them (empty when the server closed). */
    public static String readHead(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        socket.setSoTimeout(0);
        return head.toString();
    }

    /** A goodbye: a WebSocket close frame first when it is one, then FIN. */
    public static void closeCleanly(Socket socket, boolean webSocket) {
        try (socket) {
            if (webSocket) {
                synchronized (socket) { // not inside a pong (see answerPings)
                    socket.getOutputStream().write(WS_CLOSE);
                    socket.getOutputStream().flush();
                }
            }
        } catch (IOException e) {
            // the server closed first
        }
    }

    /**
     * Reads an upgraded WebSocket's frames and answers each ping with its pong, as every browser
     * does, until the connection ends: a well-behaved idle client. Runs on the calling thread.
     */
    public static void answerPings(Socket socket) {
        try {
            readFrames(socket, text -> {});
        } catch (IOException e) {
            // the connection ended
        }
    }

    /**
     * Reads an upgraded WebSocket's frames until the server's close frame, answering each ping
     * with its pong and handing each text message to {@code texts}; runs on the calling thread.
     *
     * @return the close frame's status code (1005 when it carries none)
     * @throws IOException when the connection ends without a close frame
     */
    public static int readFrames(Socket socket, Consumer<String> texts) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 512));
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = in.readUnsignedByte();
            int opcode = first & 0x0F;
            long length = in.readUnsignedByte() & 0x7F; // server frames are not masked
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                throw new EOFException();
            }
            switch (opcode) {
                case 0x9 -> pong(socket, payload);
                case 0x8 -> {
                    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
                case 0x1, 0x0 -> { // a text message, or its continuation
                    message.write(payload);
                    if ((first & 0x80) != 0) {
                        texts.accept(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
                default -> {} // a pong or a binary frame: nothing to do
            }
        }
    }

    private static void pong(Socket socket, byte[] payload) throws IOException {
        byte[] pong = new byte[6 + payload.length]; // FIN + pong, masked with a zero key
        pong[0] = (byte) 0x8A;
        pong[1] = (byte) (0x80 | payload.length); // a ping's payload is at most 125 bytes
        System.arraycopy(payload, 0, pong, 6, payload.length);
        synchronized (socket) {
            socket.getOutputStream().write(pong);
            socket.getOutputStream().flush();
        }
    }

    /** Gone without a goodbye: the close sends a TCP reset (SO_LINGER 0). */
    public static void reset(Socket socket) {
        try (socket) {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
    }
}
