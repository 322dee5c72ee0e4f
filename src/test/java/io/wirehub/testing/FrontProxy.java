package io.wirehub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What stands between a client and wirehub instances in production, reduced to what the client
 * tests need: a load balancer that sends each new connection to the first instance that accepts
 * it (so a drained instance's clients move on once it stops listening), and a network that can
 * lose one answer: {@link #cutNextAnswer()} lets the next request through, then resets the
 * connection at the first byte of the response, so the server acted and the client never heard.
 */
public final class FrontProxy implements AutoCloseable {
    private final List<InetSocketAddress> backends;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cutNext = new AtomicBoolean();

    public FrontProxy(int... backendPorts) {
        this.backends = java.util.Arrays.stream(backendPorts)
                .mapToObj(port -> new InetSocketAddress("127.0.0.1", port))
                .toList();
        try {
            listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("front-proxy-" + listener.getLocalPort()).start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The next connection's response is lost: reset at its first byte, after the server has acted. */
    public void cutNextAnswer() {
        cutNext.set(true);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("front-proxy-connect").start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        for (InetSocketAddress backend : backends) {
            Socket upstream = new Socket();
            try {
                upstream.connect(backend, 2000);
            } catch (IOException e) {
                closeQuietly(upstream);
                continue; // not listening (stopped, restarting): the next one
            }
            sockets.add(client);
            sockets.add(upstream);
            boolean cut = cutNext.getAndSet(false);
            Thread.ofVirtual().name("front-proxy-up").start(() -> pump(client, upstream, false));
            Thread.ofVirtual().name("front-proxy-down").start(() -> pump(upstream, client, cut));
            return;
        }
        reset(client); // no instance listens: the client sees its connection refused
    }

    private void pump(Socket from, Socket to, boolean cutAtFirstByte) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (cutAtFirstByte) {
                    reset(to);
                    break;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: both end
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // RST, as a network that drops the connection
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(FrontProxy::reset);
        sockets.clear();
    }
}
