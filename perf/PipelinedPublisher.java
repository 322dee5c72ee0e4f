import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Keep-alive connections, one request in flight on each (so each connection's events reach the
 * server in order). Fixed rate: a request is due every batch/rate seconds and leaves on the next
 * free connection in turn (so every connection publishes, however fast the answers); one due
 * while none is free waits (counted as not sent if still waiting when the
 * publisher stops). Saturation: each connection sends its next request when the answer comes.
 */
final class PipelinedPublisher implements Runnable {
    final LoadGen gen;
    volatile boolean stop;
    volatile long acked;
    long notSent, failures, bursts;
    /** Requests answered 503 (overloaded): in all, and in the window. Their events were not stored. */
    volatile long refused, refusedInWindow;
    /** Most events in one request: a batch or a burst. */
    final int maxPerRequest;

    volatile String firstError;
    final Histogram postLat = new Histogram();
    /** Send → answer read, of the requests answered 2xx in the window (µs). */
    final Histogram acceptedLat = new Histogram();

    final long[] nextN;
    final byte[] pad;

    PipelinedPublisher(LoadGen gen) {
        this.gen = gen;
        maxPerRequest = Math.max(gen.batch, gen.burst);
        nextN = new long[gen.pubConns * gen.topics];
        pad = new byte[gen.payload];
        Arrays.fill(pad, (byte) 'x');
    }

    final class Conn {
        final int c;
        SocketChannel ch;
        SelectionKey key;
        boolean busy;
        long sentAt;
        /** After a 503: no request before this nanoTime. */
        long retryAt;
        /** The answer being read said Retry-After (seconds; -1: none) / Connection: close. */
        long retryAfter = -1;

        boolean closeAfter, reopen;
        int topicCursor;
        int inFlight;
        final int[] inFlightTopic = new int[maxPerRequest];
        final long[] inFlightN = new long[maxPerRequest];
        final ByteBuffer req = ByteBuffer.allocate(512 + maxPerRequest * (gen.payload + 120));
        final byte[] body = new byte[maxPerRequest * (gen.payload + 120)];
        // response parser
        boolean inHead = true;
        final byte[] line = new byte[256];
        int lineLen, status;
        long contentLeft;
        boolean chunked;
        final ChunkedBody chunks = new ChunkedBody();

        Conn(int c) {
            this.c = c;
        }
    }

    @Override
    public void run() {
        try (Selector sel = Selector.open()) {
            Conn[] conns = new Conn[gen.pubConns];
            for (int c = 0; c < gen.pubConns; c++) {
                conns[c] = open(sel, new Conn(c));
            }
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            long period = gen.rate == 0 ? 0 : 1_000_000_000L * gen.batch / gen.rate;
            long due = System.nanoTime();
            long burstPeriod = LoadGen.seconds(gen.burstEvery);
            long burstDue = due + burstPeriod;
            int burstTopic = 0;
            // At a fixed rate the due requests go round the connections: the first free one would
            // otherwise take every request when the answers come faster than the period, and the
            // warm-up waits until each subscriber has seen every connection's events.
            int firstConn = 0;
            while (true) {
                long now = System.nanoTime();
                boolean anyBusy = false;
                int scanFrom = firstConn;
                for (int i = 0; i < gen.pubConns; i++) {
                    Conn cn = conns[(scanFrom + i) % gen.pubConns];
                    if (!cn.busy && !stop && cn.retryAt - now <= 0) {
                        if (gen.burst > 0 && burstDue <= now) { // on top of the rate: it does not move `due`
                            send(cn, gen.burst, burstTopic);
                            burstTopic = (burstTopic + 1) % gen.topics;
                            burstDue += burstPeriod;
                            bursts++;
                        } else if (gen.rate == 0) {
                            send(cn, gen.batch, -1);
                        } else if (due <= now) {
                            send(cn, gen.batch, -1);
                            due += period;
                            firstConn = (cn.c + 1) % gen.pubConns;
                        }
                    }
                    anyBusy |= cn.busy;
                }
                if (stop && !anyBusy) {
                    break;
                }
                boolean anyFree = false;
                now = System.nanoTime();
                long backoffEnd = Long.MAX_VALUE; // the first connection in a 503 back-off to come free
                for (Conn cn : conns) {
                    boolean backingOff = cn.retryAt - now > 0;
                    anyFree |= !cn.busy && !backingOff;
                    if (!cn.busy && backingOff) {
                        backoffEnd = Math.min(backoffEnd, cn.retryAt);
                    }
                }
                long next = gen.burst > 0 ? Math.min(due, burstDue) : due;
                if ((gen.rate > 0 || gen.burst > 0) && next <= now && anyFree && !stop) {
                    sel.selectNow(); // another request is due and a connection is free
                } else {
                    long waitMs = gen.rate == 0 && gen.burst == 0 || next <= now || stop
                            ? 100
                            : Math.max(1, (next - now) / 1_000_000);
                    if (backoffEnd != Long.MAX_VALUE && !stop) {
                        waitMs = Math.min(waitMs, Math.max(1, (backoffEnd - now + 999_999) / 1_000_000));
                    }
                    sel.select(waitMs);
                }
                for (SelectionKey k : sel.selectedKeys()) {
                    Conn cn = (Conn) k.attachment();
                    try {
                        in.clear();
                        int n = cn.ch.read(in);
                        if (n < 0) {
                            throw new IOException("the server closed a publisher connection");
                        }
                        response(cn, in.array(), n);
                        if (cn.reopen) { // the answer said Connection: close (say, a 503): a new connection, no failure
                            k.cancel();
                            cn.ch.close();
                            if (!stop) {
                                open(sel, cn);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        failed(cn, e.toString());
                        k.cancel();
                        cn.ch.close();
                        if (!stop) {
                            open(sel, cn);
                        }
                    }
                }
                sel.selectedKeys().clear();
            }
            if (gen.rate > 0) {
                notSent = Math.max(0, (System.nanoTime() - due) / period);
            }
            for (Conn cn : conns) {
                cn.ch.close();
            }
        } catch (IOException e) {
            firstError = "publisher: " + e;
            failures++;
        }
    }

    Conn open(Selector sel, Conn cn) throws IOException {
        cn.ch = SocketChannel.open(new InetSocketAddress(gen.host, gen.pubPort));
        cn.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        cn.ch.configureBlocking(false);
        cn.key = cn.ch.register(sel, SelectionKey.OP_READ, cn);
        cn.busy = false;
        cn.inHead = true;
        cn.lineLen = 0;
        cn.status = 0;
        cn.reopen = false;
        return cn;
    }

    void failed(Conn cn, String why) {
        failures++;
        if (firstError == null) {
            firstError = why;
        }
    }

    /**
     * Builds the next request of {@code count} events in the connection's buffer (no allocation)
     * and writes it: to the connection's next topics in turn, or all to {@code fixedTopic} (a burst).
     */
    void send(Conn cn, int count, int fixedTopic) throws IOException {
        long t = System.nanoTime();
        int len = 0;
        byte[] body = cn.body;
        if (!gen.nchan && count > 1) {
            body[len++] = '[';
        }
        int firstTopic = fixedTopic >= 0 ? fixedTopic : cn.topicCursor;
        for (int e = 0; e < count; e++) {
            int topic = firstTopic;
            if (fixedTopic < 0) {
                topic = cn.topicCursor;
                cn.topicCursor = (cn.topicCursor + 1) % gen.topics;
            }
            long n = nextN[cn.c * gen.topics + topic]++;
            cn.inFlightTopic[e] = topic;
            cn.inFlightN[e] = n;
            if (count > 1) {
                if (e > 0) {
                    body[len++] = ',';
                }
                len = AsciiBytes.ascii(body, len, "{\"topic\":\"t");
                len = AsciiBytes.number(body, len, topic);
                len = AsciiBytes.ascii(body, len, "\",\"data\":");
            }
            int start = len;
            len = AsciiBytes.ascii(body, len, "{\"lg\":[");
            len = AsciiBytes.number(body, len, cn.c);
            body[len++] = ',';
            len = AsciiBytes.number(body, len, n);
            body[len++] = ',';
            len = AsciiBytes.number(body, len, t);
            body[len++] = ',';
            len = AsciiBytes.number(body, len, topic);
            len = AsciiBytes.ascii(body, len, "],\"pad\":\"");
            int padLen = Math.max(0, gen.payload - (len - start) - 2);
            System.arraycopy(pad, 0, body, len, padLen);
            len += padLen;
            body[len++] = '"';
            body[len++] = '}';
            if (count > 1) {
                body[len++] = '}';
            }
        }
        if (!gen.nchan && count > 1) {
            body[len++] = ']';
        }
        cn.inFlight = count;
        ByteBuffer req = cn.req;
        req.clear();
        byte[] r = req.array();
        int p = AsciiBytes.ascii(r, 0, "POST ");
        if (gen.nchan) {
            p = AsciiBytes.ascii(r, p, "/pub/t");
            p = AsciiBytes.number(r, p, firstTopic);
        } else if (count > 1) {
            p = AsciiBytes.ascii(r, p, "/v1/events");
        } else {
            p = AsciiBytes.ascii(r, p, "/v1/topics/t");
            p = AsciiBytes.number(r, p, firstTopic);
            p = AsciiBytes.ascii(r, p, "/events");
        }
        p = AsciiBytes.ascii(
                r, p, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ");
        p = AsciiBytes.number(r, p, len);
        p = AsciiBytes.ascii(r, p, "\r\n\r\n");
        System.arraycopy(body, 0, r, p, len);
        req.limit(p + len);
        while (req.hasRemaining()) {
            cn.ch.write(req); // small; the socket buffer is empty between requests
        }
        cn.busy = true;
        cn.sentAt = t;
    }

    /** Parses the answer (status, then a Content-Length or chunked body it skips). */
    void response(Conn cn, byte[] b, int end) throws IOException {
        int off = 0;
        while (off < end) {
            if (cn.inHead) {
                byte x = b[off++];
                if (x != '\n') {
                    if (cn.lineLen < cn.line.length) {
                        cn.line[cn.lineLen++] = x;
                    }
                    continue;
                }
                int len = cn.lineLen > 0 && cn.line[cn.lineLen - 1] == '\r' ? cn.lineLen - 1 : cn.lineLen;
                cn.lineLen = 0;
                if (cn.status == 0) {
                    cn.status = (cn.line[9] - '0') * 100 + (cn.line[10] - '0') * 10 + (cn.line[11] - '0');
                    cn.contentLeft = 0;
                    cn.chunked = false;
                    cn.retryAfter = -1;
                    cn.closeAfter = false;
                } else if (len == 0) {
                    cn.inHead = false;
                    cn.chunks.reset();
                    if (!cn.chunked && cn.contentLeft == 0) {
                        done(cn);
                    }
                } else if (AsciiBytes.startsWithIgnoreCase(cn.line, len, "content-length:")) {
                    long v = 0;
                    for (int i = 15; i < len; i++) {
                        if (cn.line[i] >= '0' && cn.line[i] <= '9') {
                            v = v * 10 + (cn.line[i] - '0');
                        }
                    }
                    cn.contentLeft = v;
                } else if (AsciiBytes.startsWithIgnoreCase(cn.line, len, "transfer-encoding:") && len >= 25) {
                    cn.chunked = true;
                } else if (AsciiBytes.startsWithIgnoreCase(cn.line, len, "retry-after:")) {
                    long v = -1;
                    for (int i = 12; i < len; i++) {
                        if (cn.line[i] >= '0' && cn.line[i] <= '9') {
                            v = Math.max(0, v) * 10 + (cn.line[i] - '0');
                        } else if (v >= 0) {
                            break;
                        }
                    }
                    cn.retryAfter = v;
                } else if (AsciiBytes.startsWithIgnoreCase(cn.line, len, "connection:")
                        && AsciiBytes.containsIgnoreCase(cn.line, len, "close")) {
                    cn.closeAfter = true;
                }
            } else if (!cn.chunked) {
                int n = (int) Math.min(end - off, cn.contentLeft);
                off += n;
                cn.contentLeft -= n;
                if (cn.contentLeft == 0) {
                    done(cn);
                }
            } else {
                off = cn.chunks.feed(b, off, end, null, null);
                if (cn.chunks.done()) {
                    done(cn);
                }
            }
        }
    }

    void done(Conn cn) {
        long now = System.nanoTime();
        postLat.record((now - cn.sentAt) / 1000);
        if (cn.status / 100 == 2) {
            if (gen.phase == LoadGen.WINDOW) {
                acceptedLat.record((now - cn.sentAt) / 1000);
            }
            for (int e = 0; e < cn.inFlight; e++) {
                gen.ackedN[cn.c * gen.topics + cn.inFlightTopic[e]] = cn.inFlightN[e];
            }
            acked += cn.inFlight;
        } else if (cn.status == 503) {
            // Overloaded: nothing was stored. The events' n go back, so that the next request of this
            // connection carries them again and every subscriber still sees each n once, in order
            // (in reverse: a batch can hold a topic more than once, and its first n must win).
            for (int e = cn.inFlight - 1; e >= 0; e--) {
                nextN[cn.c * gen.topics + cn.inFlightTopic[e]] = cn.inFlightN[e];
            }
            refused++;
            if (gen.phase == LoadGen.WINDOW) {
                refusedInWindow++;
            }
            cn.retryAt =
                    now + (cn.retryAfter > 0 ? Math.min(cn.retryAfter * 1_000_000_000L, 1_000_000_000L) : 50_000_000L);
        } else {
            failed(cn, "publish answered " + cn.status);
        }
        cn.inFlight = 0;
        cn.reopen = cn.closeAfter;
        cn.status = 0;
        cn.inHead = true;
        cn.busy = false;
    }
}
