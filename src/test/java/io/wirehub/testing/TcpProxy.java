package io.wirehub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP forwarder the test can cut: between a client under test and a real server (PostgreSQL,
 * Redis), it stands for the network. {@link #cut()} resets every connection and refuses new ones
 * (the port stays the same), as a database crash or a partition would; {@link #restore()} listens
 * again. {@link #freeze()} is the silent partition: the open connections stop carrying bytes
 * but stay open, no FIN, no RST, as when a NAT or firewall forgets a flow; new connections pass.
 * With a latency, each chunk waits that long before it is passed on: a server further away.
 * No Docker, no root.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final Duration latency;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Set<Socket> frozen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger frozenClosedByClient = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final StringBuffer recorded = new StringBuffer(); // what clients sent, once record() is called
    private volatile boolean recording;
    private final ReentrantLock lock = new ReentrantLock();
    private ServerSocket listener;

    public TcpProxy(String host, int targetPort) {
        this(host, targetPort, Duration.ZERO);
    }

    public TcpProxy(String host, int targetPort, Duration latency) {
        this.target = new InetSocketAddress(host, targetPort);
        this.latency = latency;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort(); // a free port, reused by every listen()
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        restore();
    }

    public int port() {
        return port;
    }

    /** Resets every open connection and refuses new ones. */
    public void cut() {
        lock.lock();
        try {
            stopAccepting();
            for (Socket socket : sockets) {
                try {
                    socket.setSoLinger(true, 0); // RST, like a peer that vanished
                } catch (IOException e) {
                    // closing anyway
                }
                closeQuietly(socket);
            }
            sockets.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new connections and leaves the open ones as they are; {@link #restore()} undoes it. */
    public void stopAccepting() {
        lock.lock();
        try {
            closeQuietly(listener);
            listener = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every connection open now stops forwarding in both directions and stays open: what either
     * side sends is read and dropped, so neither sees an error, only silence. Connections made
     * afterwards are forwarded as usual.
     */
    public void freeze() {
        frozen.addAll(sockets);
    }

    /** Frozen connections that the client side (the code under test) has closed since. */
    public int frozenClosedByClient() {
        return frozenClosedByClient.get();
    }

    /** From now on keeps what clients send (the first MiB, as ISO-8859-1 text), for {@link #recorded()}. */
    public void record() {
        recording = true;
    }

    /** What clients sent since {@link #record()}: request heads a test reads, for an HTTP client. */
    public String recorded() {
        return recorded.toString();
    }

    /** Connections accepted so far: how often the client side connected. */
    public int accepted() {
        return accepted.get();
    }

    /** Accepts connections again, on the same port. */
    public void restore() {
        lock.lock();
        try {
            if (listener != null) {
                return;
            }
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = server;
            Thread.ofVirtual().name("proxy-accept-" + port).start(() -> accept(server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                sockets.add(client);
                sockets.add(upstream);
                clients.add(client);
                if (server.isClosed()) { // cut() ran while we connected: this one is cut too
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream));
                Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client));
            } catch (IOException e) {
                // listener closed by cut(), or the target refused: the client sees its socket end
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream(); // closed with the sockets below
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (latency.isPositive()) {
                    Thread.sleep(latency);
                }
                if (recording && clients.contains(from) && recorded.length() < 1 << 20) {
                    recorded.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                }
                if (!frozen.contains(from)) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
            countFrozenClientGone(from);
        } catch (IOException e) {
            if (!from.isClosed()) { // not closed by us: the peer reset it, or (not frozen) a write failed
                countFrozenClientGone(from);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            for (Socket socket : List.of(from, to)) {
                sockets.remove(socket);
                clients.remove(socket);
                frozen.remove(socket);
            }
        }
    }

    private void countFrozenClientGone(Socket from) {
        if (frozen.contains(from) && clients.contains(from)) {
            frozenClosedByClient.incrementAndGet(); // a frozen pump writes nothing: the client closed (FIN or RST)
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        cut();
    }
}
