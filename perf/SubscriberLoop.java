import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A selector thread of the load client: connects its share of the streams, then reads and checks
 * every delivery against LoadGen's record of what each publisher connection sent (lastN).
 */
final class SubscriberLoop implements Runnable {
    /** What starts an event's marker in its data: {@code "lg":[c,n,t,k]}. */
    static final byte[] MARKER = "\"lg\":[".getBytes(StandardCharsets.US_ASCII);

    final LoadGen gen;
    final int id;
    final Selector selector;
    final Queue<SubscriberStream> pending = new ConcurrentLinkedQueue<>();
    final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    final Histogram[] latency = {new Histogram(), new Histogram(), new Histogram(), new Histogram()};
    Thread thread;
    volatile boolean stopping;
    volatile boolean abandoning;
    boolean abandoned;
    int connecting;
    // Written by this thread only; read after join (or racily, for progress).
    long delivered, gaps, dups, reorders;
    volatile long deliveredShared;
    long now;
    int ph;

    /** The SSE bytes of a chunked body go to sseBytes. */
    private final ChunkedBody.Data<SubscriberStream> sse = this::sseBytes;

    SubscriberLoop(LoadGen gen, int id) throws IOException {
        this.gen = gen;
        this.id = id;
        this.selector = Selector.open();
    }

    void stop() {
        stopping = true;
        selector.wakeup();
    }

    void abandonConnects() {
        abandoning = true;
        selector.wakeup();
    }

    /** Closes every stream that has not opened yet (the connect deadline passed). */
    void closeUnopened() {
        pending.clear();
        for (SelectionKey k : selector.keys()) {
            SubscriberStream s = (SubscriberStream) k.attachment();
            if (!s.open) {
                k.cancel();
                try {
                    s.ch.close();
                } catch (IOException ignored) {
                    // abandoned
                }
            }
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!stopping) {
                if (abandoning && !abandoned) {
                    abandoned = true;
                    closeUnopened();
                }
                if (!abandoned) {
                    startConnects();
                }
                selector.select(100);
                now = System.nanoTime();
                ph = gen.phase;
                for (SelectionKey k : selector.selectedKeys()) {
                    SubscriberStream s = (SubscriberStream) k.attachment();
                    try {
                        if (k.isConnectable()) {
                            connected(s, k);
                        } else if (k.isReadable()) {
                            read(s, k);
                        }
                    } catch (IOException | RuntimeException e) {
                        close(s, k, e.toString());
                    }
                }
                selector.selectedKeys().clear();
                deliveredShared = delivered;
            }
        } catch (IOException e) {
            gen.firstError = "selector: " + e;
        } finally {
            for (SelectionKey k : selector.keys()) {
                try {
                    k.channel().close();
                } catch (IOException ignored) {
                    // closing at the end
                }
            }
        }
    }

    /** At most 256 connects in flight per thread: the listen backlog is finite. */
    void startConnects() {
        SubscriberStream s;
        while (connecting < 256 && (s = pending.poll()) != null) {
            try {
                SocketChannel ch = SocketChannel.open();
                s.ch = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connecting++;
                if (ch.connect(new InetSocketAddress(gen.host, gen.port))) {
                    SelectionKey k = ch.register(selector, 0, s);
                    connected(s, k);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, s);
                }
            } catch (IOException e) {
                connectFailed(s, e.toString());
            }
        }
    }

    void connected(SubscriberStream s, SelectionKey k) throws IOException {
        s.ch.finishConnect();
        ByteBuffer req = ByteBuffer.wrap(request(s));
        while (req.hasRemaining()) {
            if (s.ch.write(req) == 0) {
                throw new IOException("the request did not fit the socket buffer");
            }
        }
        k.interestOps(SelectionKey.OP_READ);
    }

    /** The stream's GET (a WebSocket upgrade, or an SSE request) for the server under test. */
    byte[] request(SubscriberStream s) {
        String path;
        if (gen.nchan) {
            path = (gen.ws ? "/ws/t" : "/sse/t") + s.topicList[0];
        } else {
            StringBuilder q = new StringBuilder(gen.ws ? "/v1/ws" : "/v1/sse");
            for (int j = 0; j < s.topicList.length; j++) {
                q.append(j == 0 ? "?topic=t" : "&topic=t").append(s.topicList[j]);
            }
            path = q.toString();
        }
        String h = "GET " + path + " HTTP/1.1\r\nHost: " + gen.host + ":" + gen.port + "\r\n";
        h += gen.ws
                ? "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                : "Accept: text/event-stream\r\n";
        return (h + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    void connectFailed(SubscriberStream s, String why) {
        connecting--;
        gen.failed.incrementAndGet();
        if (gen.firstError == null) {
            gen.firstError = "sub " + s.index + ": " + why;
        }
    }

    void close(SubscriberStream s, SelectionKey k, String why) {
        k.cancel();
        try {
            s.ch.close();
        } catch (IOException ignored) {
            // already broken
        }
        if (!s.open) {
            connectFailed(s, why);
        } else if (!s.ended && !stopping) {
            s.ended = true;
            gen.lost.incrementAndGet();
            if (gen.firstError == null) {
                gen.firstError = "sub " + s.index + " ended: " + why;
            }
        }
    }

    void read(SubscriberStream s, SelectionKey k) throws IOException {
        buf.clear();
        int n = s.ch.read(buf);
        if (n < 0) {
            throw new IOException("the server closed the stream");
        }
        byte[] b = buf.array();
        int off = 0;
        if (s.state == SubscriberStream.HEAD) {
            off = head(s, b, 0, n);
            if (off < 0) {
                return;
            }
        }
        if (gen.ws) {
            wsBytes(s, b, off, n);
        } else if (s.chunked) {
            s.chunks.feed(b, off, n, s, sse);
            if (s.chunks.lastChunk()) {
                throw new IOException("the server ended the stream (last chunk)");
            }
        } else {
            sseBytes(s, b, off, n);
        }
    }

    /** Collects the response head; the offset where the body starts, or -1 while incomplete. */
    int head(SubscriberStream s, byte[] b, int off, int end) throws IOException {
        int from = s.carryLen;
        s.append(b, off, end);
        int headEnd = -1;
        for (int i = Math.max(3, from - 3); i < s.carryLen; i++) {
            if (s.carry[i] == '\n' && s.carry[i - 1] == '\r' && s.carry[i - 2] == '\n' && s.carry[i - 3] == '\r') {
                headEnd = i + 1;
                break;
            }
        }
        if (headEnd < 0) {
            if (s.carryLen > 16384) {
                throw new IOException("response head over 16 KB");
            }
            return -1;
        }
        String head = new String(s.carry, 0, headEnd, StandardCharsets.ISO_8859_1);
        String expect = gen.ws ? " 101" : " 200";
        if (!head.startsWith("HTTP/1.1" + expect)) {
            throw new IOException(
                    "expected" + expect + ", got: " + head.lines().findFirst().orElse(""));
        }
        s.chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        s.state = SubscriberStream.BODY;
        s.open = true;
        connecting--;
        gen.opened.incrementAndGet();
        int bodyStart = end - (s.carryLen - headEnd);
        s.carryLen = 0;
        return bodyStart;
    }

    /** SSE body bytes: complete lines are checked in place; a partial one waits in the carry. */
    void sseBytes(SubscriberStream s, byte[] b, int off, int end) {
        int i = off;
        while (i < end) {
            int nl = i;
            while (nl < end && b[nl] != '\n') {
                nl++;
            }
            if (nl == end) {
                s.append(b, i, end);
                return;
            }
            if (s.carryLen > 0) {
                s.append(b, i, nl);
                message(s, s.carry, 0, s.carryLen);
                s.carryLen = 0;
            } else {
                message(s, b, i, nl);
            }
            i = nl + 1;
        }
    }

    /** WebSocket frames from the server (unmasked); pings are answered, text is checked. */
    void wsBytes(SubscriberStream s, byte[] b, int off, int end) throws IOException {
        while (off < end) {
            if (s.wsState == SubscriberStream.WS_HEADER) {
                s.wsHeader[s.wsHeaderLen++] = b[off++];
                if (s.wsHeaderLen < 2) {
                    continue;
                }
                int len7 = s.wsHeader[1] & 0x7f;
                int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((s.wsHeader[1] & 0x80) != 0 ? 4 : 0);
                if (s.wsHeaderLen < need) {
                    continue;
                }
                if ((s.wsHeader[1] & 0x80) != 0) {
                    throw new IOException("the server sent a masked frame");
                }
                long len = len7;
                if (len7 == 126) {
                    len = ((s.wsHeader[2] & 0xff) << 8) | (s.wsHeader[3] & 0xff);
                } else if (len7 == 127) {
                    len = 0;
                    for (int i = 2; i < 10; i++) {
                        len = (len << 8) | (s.wsHeader[i] & 0xff);
                    }
                }
                s.wsOpcode = s.wsHeader[0] & 0x0f;
                s.wsLen = len;
                s.wsLeft = len;
                s.wsHeaderLen = 0;
                s.carryLen = 0;
                s.wsState = SubscriberStream.WS_PAYLOAD;
                if (len == 0) {
                    frame(s, b, off, off);
                    s.wsState = SubscriberStream.WS_HEADER;
                }
                continue;
            }
            int n = (int) Math.min(end - off, s.wsLeft);
            if (n == s.wsLen) { // the whole payload is in this read: check it in place
                s.wsLeft = 0;
                frame(s, b, off, off + n);
            } else {
                s.append(b, off, off + n);
                s.wsLeft -= n;
                if (s.wsLeft == 0) {
                    frame(s, s.carry, 0, s.carryLen);
                }
            }
            off += n;
            if (s.wsLeft == 0) {
                s.wsState = SubscriberStream.WS_HEADER;
                s.carryLen = 0;
            }
        }
    }

    void frame(SubscriberStream s, byte[] b, int from, int to) throws IOException {
        switch (s.wsOpcode) {
            case 0, 1, 2 -> message(s, b, from, to);
            case 8 ->
                throw new IOException("the server sent a close frame"
                        + (to - from >= 2 // status code, then the reason
                                ? " " + (((b[from] & 0xff) << 8) | (b[from + 1] & 0xff)) + " "
                                        + new String(b, from + 2, to - from - 2, StandardCharsets.UTF_8)
                                : ""));
            case 9 -> pong(s, b, from, to);
            default -> {} // pong or reserved: nothing to do
        }
    }

    /** A masked pong with the ping's payload (at most 125 bytes); the mask key is all zeros. */
    void pong(SubscriberStream s, byte[] b, int from, int to) throws IOException {
        int n = to - from;
        ByteBuffer f = ByteBuffer.allocate(6 + n);
        f.put((byte) 0x8A).put((byte) (0x80 | n)).putInt(0).put(b, from, n).flip();
        for (int tries = 0; f.hasRemaining() && tries < 100; tries++) {
            s.ch.write(f);
        }
        if (f.hasRemaining()) {
            throw new IOException("could not write a pong");
        }
    }

    /** One SSE line or WebSocket message: if it carries {@code "lg":[c,n,t]}, a delivery. */
    void message(SubscriberStream s, byte[] b, int from, int to) {
        int i = AsciiBytes.indexOf(b, from, to, MARKER);
        if (i < 0) {
            return;
        }
        i += MARKER.length;
        int c = 0;
        for (; b[i] != ','; i++) {
            c = c * 10 + (b[i] - '0');
        }
        long n = 0;
        for (i++; b[i] != ','; i++) {
            n = n * 10 + (b[i] - '0');
        }
        long t = 0;
        for (i++; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
            t = t * 10 + (b[i] - '0');
        }
        int topic = 0;
        if (i < to && b[i] == ',') {
            for (i++; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
                topic = topic * 10 + (b[i] - '0');
            }
        }
        deliver(s, c, n, t, topic);
    }

    void deliver(SubscriberStream s, int c, long n, long t, int topic) {
        delivered++;
        latency[ph].record((now - t) / 1000);
        int slot = s.slotOf(topic);
        if (slot < 0) { // an event of a topic this stream does not follow: counted as reordered (fails the run)
            reorders++;
            return;
        }
        int k = slot * gen.pubConns + c;
        long last = gen.lastN.getPlain(k);
        if (last < 0) { // the first event of this connection: the stream is live from here on
            gen.lastN.setRelease(k, n);
            if (++s.seenConns == gen.pubConns * s.topicList.length) {
                gen.ready.incrementAndGet();
            }
        } else if (n == last + 1) {
            gen.lastN.setRelease(k, n);
        } else if (n > last + 1) {
            gaps += n - last - 1;
            gen.lastN.setRelease(k, n);
        } else if (n == last) {
            dups++;
        } else {
            reorders++;
        }
    }
}
