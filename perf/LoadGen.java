import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator for SSE and WebSocket fan-out servers: wirehub, or nchan as the peer.
 *
 * <p>N subscribers over M topics (subscriber i on topic i mod M; with {@code --topics-per-sub 1-5}
 * subscriber i follows 1 + i mod 5 topics spread over the M), read by one or two NIO selector
 * threads; a publisher thread with K keep-alive connections that publishes at a fixed rate or, with
 * {@code --rate 0}, as fast as the answers come, plus, with {@code --burst B --burst-every S}, a
 * batch of B events to one topic every S seconds (wirehub only; the topic rotates). Every event's
 * data is {@code {"lg":[c,n,t,k],"pad":"xx.."}}: publisher connection c, its n-th event on topic k,
 * and the send time t from this process's {@code System.nanoTime()} (one clock for publish and
 * receive). A connection's requests are answered in order, so each subscriber must see every
 * connection's n of each of its topics exactly once and in order, whatever server-side seq the
 * server adds: that check is the same for both servers. Any gap, duplicate, reordering, lost stream or connect failure
 * fails the run (exit 3).
 *
 * <p>A publish answered 503 (overloaded: nothing stored) is counted as refused; its connection backs
 * off for min(Retry-After, 1 s), or 50 ms without one, and sends the same events again, so only
 * publishes answered 2xx count as published. Reported beside the deliveries: the round trip of the
 * publishes accepted in the window (p50/p99), the 503s, and the server's peak RSS (VmHWM).
 *
 * <p>Phases: connect all streams (the server's RSS before and after: KB per idle stream); publish,
 * the first {@code --cold} seconds reported separately (JIT warm-up); warm up until
 * {@code --warmup} seconds have passed and every subscriber has seen every publisher connection;
 * measure for {@code --window} seconds (deliveries/s, publish → receive latency, server CPU per
 * delivery, RSS per loaded stream); stop publishing and wait until every subscriber has read the
 * last acknowledged event.
 *
 * <p>The read path parses bytes in place: no object per event. Run with the JDK's source launcher,
 * {@code java perf/LoadGen.java --port P --pid PID [...]} (perf/README.md). Exit: 0 ok, 1 a figure
 * could not be measured, 2 bad arguments, 3 delivery was not exactly once.
 */
public class LoadGen {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parseArgs(args,
                "server", "wirehub", "transport", "sse", "host", "127.0.0.1", "port", "", "pid", "",
                "subscribers", "100", "topics", "1", "rate", "0", "batch", "1", "pub-conns", "2",
                "payload", "150", "warmup", "2", "cold", "2", "window", "5", "drain", "30",
                "io-threads", "2", "connect-timeout", "60", "clk-tck", "100", "out", "-", "label", "",
                "topics-per-sub", "1", "burst", "0", "burst-every", "1", "jcmd", "none", "pub-port", "same");
        System.exit(new LoadGen(o).run());
    }

    // ---- settings
    final boolean nchan;
    final boolean ws;
    final String host;
    final int port;
    /** Where the publisher connects: --port, or another instance's (events then cross the bus). */
    final int pubPort;
    final long[] serverPids;
    final int subscribers, topics, rate, batch, pubConns, payload, ioThreads, clkTck;
    /** Topics per subscriber: subscriber i follows minTopicsPerSub + i mod (max - min + 1). */
    final int minTopicsPerSub, maxTopicsPerSub;
    /** Extra batches of {@code burst} events to one topic every {@code burstEvery} seconds; 0: none. */
    final int burst;
    final double burstEvery;
    final double warmup, cold, window, drain, connectTimeout;
    final String out, label;
    /** The JDK's jcmd, to read the server's heap after a full GC; "none": no heap figures. */
    final String jcmd;

    // ---- shared state. A slot is (subscriber, one of its topics); Sub.firstSlot + j is its j-th.
    // Index of (slot, publisher connection c): slot * pubConns + c.
    /** Last n seen; -1 before the first. Written by the subscriber's selector thread only. */
    final AtomicLongArray lastN;
    /** Last n acknowledged per (connection, topic): c * topics + topic. Publisher thread only. */
    final long[] ackedN;
    /** Subscribers that have seen at least one event of every publisher connection. */
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();
    volatile String firstError;
    /** What phase a delivery is counted in (index into the loops' histograms). */
    volatile int phase = COLD;
    static final int COLD = 0, WARM = 1, WINDOW = 2, DRAIN = 3;

    final List<IoLoop> loops = new ArrayList<>();
    final Sub[] subs;

    LoadGen(Map<String, String> o) {
        nchan = choice(o, "server", "wirehub", "nchan").equals("nchan");
        ws = choice(o, "transport", "sse", "ws").equals("ws");
        host = o.get("host");
        port = intArg(o, "port");
        pubPort = o.get("pub-port").equals("same") ? port : intArg(o, "pub-port");
        serverPids = Arrays.stream(o.get("pid").split(",")).mapToLong(Long::parseLong).toArray();
        subscribers = intArg(o, "subscribers");
        topics = intArg(o, "topics");
        rate = intArg(o, "rate");
        batch = intArg(o, "batch");
        pubConns = intArg(o, "pub-conns");
        payload = intArg(o, "payload");
        ioThreads = intArg(o, "io-threads");
        clkTck = intArg(o, "clk-tck");
        warmup = doubleArg(o, "warmup");
        cold = doubleArg(o, "cold");
        window = doubleArg(o, "window");
        drain = doubleArg(o, "drain");
        connectTimeout = doubleArg(o, "connect-timeout");
        out = o.get("out");
        label = o.get("label");
        String[] perSub = o.get("topics-per-sub").split("-", 2);
        minTopicsPerSub = intArg(Map.of("topics-per-sub", perSub[0]), "topics-per-sub");
        maxTopicsPerSub = perSub.length == 1 ? minTopicsPerSub : intArg(Map.of("topics-per-sub", perSub[1]), "topics-per-sub");
        burst = intArg(o, "burst");
        burstEvery = doubleArg(o, "burst-every");
        jcmd = o.get("jcmd");
        if (nchan && batch != 1) {
            usage("nchan publishes one message per request: --batch 1");
        }
        if (nchan && (burst > 0 || maxTopicsPerSub > 1)) {
            usage("--burst and --topics-per-sub above 1 are wirehub only (batch publish, several topics per stream)");
        }
        if (minTopicsPerSub < 1 || maxTopicsPerSub < minTopicsPerSub || maxTopicsPerSub > topics || burst < 0 || burstEvery <= 0) {
            usage("--topics-per-sub is K or MIN-MAX with 1 <= MIN <= MAX <= --topics; --burst >= 0; --burst-every > 0");
        }
        if (subscribers < 1 || topics < 1 || pubConns < 1 || batch < 1 || ioThreads < 1 || payload < 40) {
            usage("--subscribers, --topics, --pub-conns, --batch, --io-threads must be >= 1, --payload >= 40");
        }
        subs = new Sub[subscribers];
        int slots = 0;
        for (int i = 0; i < subscribers; i++) {
            subs[i] = new Sub(i, slots, topicsOf(i));
            slots += subs[i].topicList.length;
        }
        lastN = new AtomicLongArray(slots * pubConns);
        for (int i = 0; i < lastN.length(); i++) {
            lastN.setPlain(i, -1);
        }
        ackedN = new long[pubConns * topics];
        Arrays.fill(ackedN, -1);
    }

    /** Subscriber i's topics: 1 + i mod (spread) of them, a stride apart so that topics share subscribers evenly. */
    int[] topicsOf(int i) {
        int k = minTopicsPerSub + i % (maxTopicsPerSub - minTopicsPerSub + 1);
        int stride = Math.max(1, topics / maxTopicsPerSub);
        int[] t = new int[k];
        for (int j = 0; j < k; j++) {
            t[j] = (i + j * stride) % topics;
        }
        return t;
    }

    int run() throws Exception {
        String what = String.format(Locale.ROOT, "%s %s, %d subscribers on %d topic(s)%s, %s, %d-byte events, %d publisher connection(s)%s%s",
                nchan ? "nchan" : "wirehub", ws ? "WebSocket" : "SSE", subscribers, topics,
                maxTopicsPerSub > 1 ? " (" + minTopicsPerSub + "-" + maxTopicsPerSub + " each)" : "",
                rate == 0 ? "saturation" : rate + " events/s", payload, pubConns, batch > 1 ? ", batches of " + batch : "",
                burst > 0 ? ", bursts of " + burst + " to one topic every " + burstEvery + " s" : "");
        System.out.println("loadgen: " + what + (pubPort != port ? ", published on port " + pubPort + ", served on " + port : ""));
        Proc server = new Proc(serverPids, clkTck);
        Proc client = new Proc(new long[] {ProcessHandle.current().pid()}, clkTck);
        Map<String, Long> statsStart = stats();
        long heapBefore = heapUsedKb(); // first: its full GC shrinks the heap, and RSS with it
        long rssBefore = server.rssKb();

        // 1. Connect every stream, a bounded number at a time per selector thread.
        long t0 = System.nanoTime();
        for (int i = 0; i < ioThreads; i++) {
            IoLoop loop = new IoLoop(i);
            loops.add(loop);
            Thread t = new Thread(loop, "loadgen-io-" + i);
            t.setDaemon(true);
            t.start();
        }
        for (int i = 0; i < subscribers; i++) {
            loops.get(i % ioThreads).pending.add(subs[i]);
        }
        loops.forEach(l -> l.selector.wakeup());
        long deadline = t0 + seconds(connectTimeout);
        while (opened.get() + failed.get() < subscribers && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        loops.forEach(IoLoop::abandonConnects); // what has not opened by now is a connect failure, not a late subscriber
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        int openedCount = opened.get();
        int connectFailures = subscribers - openedCount;
        System.out.printf(Locale.ROOT, "  connected      %d of %d streams in %.2f s, %d failed%s%n", openedCount, subscribers,
                connectSeconds, connectFailures, firstError == null ? "" : " (first: " + firstError + ")");
        if (openedCount == 0) {
            return fail("no stream opened");
        }
        Thread.sleep(500); // let the server finish registering what it accepted
        long heapIdle = heapUsedKb();
        long rssIdle = server.rssKb();

        // 2. Publish: cold seconds, then warm-up until every subscriber is live on every connection.
        Publisher publisher = new Publisher();
        Thread pubThread = new Thread(publisher, "loadgen-publisher");
        pubThread.setDaemon(true);
        long cpuColdServer = server.cpuTicks();
        long pubStart = System.nanoTime();
        pubThread.start();
        Thread.sleep(Math.max(0, (long) (cold * 1000)));
        phase = WARM;
        Snapshot coldEnd = snapshot(publisher, server, client);
        long coldNanos = System.nanoTime() - pubStart;
        long warmDeadline = pubStart + seconds(warmup);
        long readyDeadline = warmDeadline + seconds(Math.max(30, drain));
        while (System.nanoTime() < warmDeadline || ready.get() < openedCount - lost.get()) {
            if (System.nanoTime() > readyDeadline) {
                publisher.stop = true;
                return fail(ready.get() + " of " + openedCount + " streams saw an event of every publisher connection within the warm-up"
                        + " (published " + publisher.acked + ", first error: " + (firstError != null ? firstError : publisher.firstError) + ")");
            }
            Thread.sleep(10);
        }

        // 3. The measured window.
        Map<String, Long> statsW0 = stats();
        Snapshot w0 = snapshot(publisher, server, client);
        phase = WINDOW;
        Thread.sleep((long) (window * 1000));
        phase = DRAIN;
        Snapshot w1 = snapshot(publisher, server, client);
        Map<String, Long> statsW1 = stats();
        long heapLoaded = heapUsedKb(); // after the window: its full GC delays only the drain
        long rssLoaded = server.rssKb();
        int serverThreads = server.threads();
        long refusedW1 = publisher.refusedInWindow;

        // 4. Stop publishing; wait until every live subscriber has read every acknowledged event.
        publisher.stop = true;
        pubThread.join(seconds(30) / 1_000_000);
        if (pubThread.isAlive()) {
            return fail("publishes still unanswered 30 s after the window");
        }
        long drainDeadline = System.nanoTime() + seconds(drain);
        boolean drained;
        while (!(drained = caughtUp()) && System.nanoTime() < drainDeadline) {
            Thread.sleep(20);
        }
        loops.forEach(IoLoop::stop);
        for (IoLoop l : loops) {
            l.thread.join(5000);
        }

        // 5. Exactly once: in-stream counts from the loops, plus what never came after the last read.
        long gaps = 0, dups = 0, reorders = 0, ended = 0;
        for (IoLoop l : loops) {
            gaps += l.gaps;
            dups += l.dups;
            reorders += l.reorders;
        }
        for (Sub s : subs) {
            if (!s.open) {
                continue;
            }
            if (s.ended) {
                ended++; // a failure of its own: what it missed after it ended is not counted as gaps
                continue;
            }
            for (int j = 0; j < s.topicList.length; j++) {
                for (int c = 0; c < pubConns; c++) {
                    long last = lastN.get((s.firstSlot + j) * pubConns + c);
                    long acked = ackedN[c * topics + s.topicList[j]];
                    if (last >= 0 && acked > last) {
                        gaps += acked - last;
                    }
                }
            }
        }
        // Peak RSS (VmHWM: each process's high-water mark since it started; every case starts a fresh
        // server), after the drain. nchan: the master and its worker(s), summed.
        long rssPeak = new Proc(nchan ? withParentNamed(serverPids, "nginx") : serverPids, clkTck).rssPeakKb();
        Histogram windowLat = merged(WINDOW);
        Histogram coldLat = merged(COLD);
        double w = (w1.nanos - w0.nanos) / 1e9;
        long deliveries = w1.delivered - w0.delivered;
        long serverTicks = w1.serverTicks - w0.serverTicks;
        long clientTicks = w1.clientTicks - w0.clientTicks;

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", label);
        r.put("date", Instant.now().toString());
        r.put("server", nchan ? "nchan" : "wirehub");
        r.put("transport", ws ? "ws" : "sse");
        r.put("subscribers", subscribers);
        r.put("topics", topics);
        r.put("published_on_other_instance", pubPort != port);
        r.put("topics_per_sub", minTopicsPerSub == maxTopicsPerSub ? "" + minTopicsPerSub : minTopicsPerSub + "-" + maxTopicsPerSub);
        r.put("burst", burst);
        r.put("burst_every_s", burstEvery);
        r.put("bursts_sent", publisher.bursts);
        r.put("mode", rate == 0 ? "saturation" : "rate");
        r.put("rate_target", rate);
        r.put("batch", batch);
        r.put("pub_conns", pubConns);
        r.put("payload_bytes", payload);
        r.put("warmup_s", warmup);
        r.put("window_s", round(w, 2));
        r.put("connect_s", round(connectSeconds, 2));
        r.put("connect_failures", connectFailures);
        r.put("publishes_per_s", round((w1.acked - w0.acked) / w, 1));
        r.put("deliveries_per_s", Math.round(deliveries / w));
        r.put("p50_ms", ms(windowLat.quantile(0.50)));
        r.put("p95_ms", ms(windowLat.quantile(0.95)));
        r.put("p99_ms", ms(windowLat.quantile(0.99)));
        r.put("p999_ms", ms(windowLat.quantile(0.999)));
        r.put("max_ms", ms(windowLat.max));
        r.put("latency_samples", windowLat.count);
        r.put("post_p50_ms", ms(publisher.postLat.quantile(0.50)));
        r.put("post_p99_ms", ms(publisher.postLat.quantile(0.99)));
        r.put("publish_p50_ms", ms(publisher.acceptedLat.quantile(0.50)));
        r.put("publish_p99_ms", ms(publisher.acceptedLat.quantile(0.99)));
        r.put("publish_samples", publisher.acceptedLat.count);
        r.put("publishes_refused", refusedW1);
        r.put("publishes_refused_per_s", round(refusedW1 / w, 1));
        r.put("publishes_refused_total", publisher.refused);
        r.put("not_sent", publisher.notSent);
        r.put("publish_failures", publisher.failures);
        r.put("cold_s", round(coldNanos / 1e9, 2));
        r.put("cold_publishes_per_s", round(coldEnd.acked / (coldNanos / 1e9), 1));
        r.put("cold_deliveries_per_s", Math.round(coldEnd.delivered / (coldNanos / 1e9)));
        r.put("cold_p99_ms", ms(coldLat.quantile(0.99)));
        r.put("cold_server_cpu_cores", round((coldEnd.serverTicks - cpuColdServer) / (double) clkTck / (coldNanos / 1e9), 2));
        r.put("gaps", gaps);
        r.put("duplicates", dups);
        r.put("reordered", reorders);
        r.put("streams_ended", ended);
        r.put("drained", drained);
        r.put("server_rss_before_kb", rssBefore);
        r.put("server_rss_idle_kb", rssIdle);
        r.put("server_rss_loaded_kb", rssLoaded);
        r.put("server_rss_peak_kb", rssPeak);
        r.put("kb_per_idle_stream", round((rssIdle - rssBefore) / (double) openedCount, 1));
        r.put("kb_per_loaded_stream", round((rssLoaded - rssBefore) / (double) openedCount, 1));
        if (heapBefore >= 0 && heapIdle >= 0 && heapLoaded >= 0) {
            r.put("server_heap_before_kb", heapBefore);
            r.put("server_heap_idle_kb", heapIdle);
            r.put("server_heap_loaded_kb", heapLoaded);
            r.put("heap_kb_per_idle_stream", round((heapIdle - heapBefore) / (double) openedCount, 2));
            r.put("heap_kb_per_loaded_stream", round((heapLoaded - heapBefore) / (double) openedCount, 2));
        }
        r.put("server_cpu_cores", round(serverTicks / (double) clkTck / w, 2));
        r.put("server_cpu_us_per_delivery", deliveries == 0 ? -1 : round(serverTicks * 1e6 / clkTck / deliveries, 2));
        r.put("server_threads", serverThreads);
        r.put("client_cpu_cores", round(clientTicks / (double) clkTck / w, 2));
        for (String k : List.of("overflows", "catch_ups", "resets", "deliveries")) {
            if (statsW0.containsKey(k) && statsW1.containsKey(k)) {
                r.put("server_" + k, statsW1.get(k) - statsW0.get(k));
            }
        }
        // Streams the server closed, by its reason, since the first connect.
        for (String k : List.of("client_gone", "client_closed", "write_timeout", "pong_timeout", "overflow", "subscription_flood",
                "store_unavailable", "error")) {
            if (statsStart.containsKey(k) && statsW1.containsKey(k)) {
                r.put("server_closes_" + k, statsW1.get(k) - statsStart.get(k));
            }
        }
        if (statsStart.containsKey("overflows") && statsW1.containsKey("overflows")) {
            r.put("server_overflows_total", statsW1.get("overflows") - statsStart.get("overflows"));
            r.put("server_catch_ups_total", statsW1.get("catch_ups") - statsStart.get("catch_ups"));
        }
        r.put("load_avg", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        boolean exact = gaps == 0 && dups == 0 && reorders == 0 && ended == 0 && connectFailures == 0 && drained
                && publisher.failures == 0;
        r.put("exact", exact);

        System.out.printf(Locale.ROOT, "  published      %.1f/s accepted in the window (%s), %d not sent, %d failed%n",
                r.get("publishes_per_s"), rate == 0 ? "as fast as answered" : "target " + rate + "/s", publisher.notSent, publisher.failures);
        System.out.printf(Locale.ROOT, "  publish ms     p50 %s  p99 %s  (%d accepted in the window, request sent -> answer read); refused 503: %d in the window (%.1f/s), %d in all%n",
                r.get("publish_p50_ms"), r.get("publish_p99_ms"), publisher.acceptedLat.count, refusedW1, r.get("publishes_refused_per_s"), publisher.refused);
        System.out.printf(Locale.ROOT, "  deliveries/s   %d over %.2f s%n", r.get("deliveries_per_s"), w);
        System.out.printf(Locale.ROOT, "  latency ms     p50 %s  p95 %s  p99 %s  p99.9 %s  max %s  (%d samples, publish send -> subscriber read)%n",
                r.get("p50_ms"), r.get("p95_ms"), r.get("p99_ms"), r.get("p999_ms"), r.get("max_ms"), windowLat.count);
        System.out.printf(Locale.ROOT, "  cold %.1f s     %.1f publishes/s, %d deliveries/s, p99 %s ms, server %.2f cores%n",
                coldNanos / 1e9, r.get("cold_publishes_per_s"), r.get("cold_deliveries_per_s"), r.get("cold_p99_ms"), r.get("cold_server_cpu_cores"));
        System.out.printf(Locale.ROOT, "  exactness      gaps %d, duplicates %d, reordered %d, streams ended %d, connect failures %d, drained %s%n",
                gaps, dups, reorders, ended, connectFailures, drained);
        System.out.printf(Locale.ROOT, "  server         CPU %.2f cores, %s µs/delivery; RSS %d -> %d (idle) -> %d KB (loaded), peak %d KB: %s KB/idle stream, %s KB/loaded stream; %d threads%s%n",
                r.get("server_cpu_cores"), r.get("server_cpu_us_per_delivery"), rssBefore, rssIdle, rssLoaded, rssPeak,
                r.get("kb_per_idle_stream"), r.get("kb_per_loaded_stream"), serverThreads,
                r.containsKey("server_overflows") ? "; overflows " + r.get("server_overflows") + ", catch-ups " + r.get("server_catch_ups")
                        + "; closes since connect: client_gone " + r.get("server_closes_client_gone") + ", write_timeout "
                        + r.get("server_closes_write_timeout") + ", pong_timeout " + r.get("server_closes_pong_timeout") + ", overflow "
                        + r.get("server_closes_overflow") + ", error " + r.get("server_closes_error") : "");
        if (r.containsKey("server_heap_idle_kb")) {
            System.out.printf(Locale.ROOT, "  server heap    after a full GC: %d -> %d (idle) -> %d KB (loaded): %s KB/idle stream, %s KB/loaded stream%n",
                    heapBefore, heapIdle, heapLoaded, r.get("heap_kb_per_idle_stream"), r.get("heap_kb_per_loaded_stream"));
        }
        System.out.printf(Locale.ROOT, "  client         CPU %.2f cores (same machine)%n", r.get("client_cpu_cores"));
        if (firstError != null) {
            System.out.println("  first stream error: " + firstError);
        }
        if (publisher.firstError != null) {
            System.out.println("  first publish error: " + publisher.firstError);
        }
        String json = toJson(r);
        if (out.equals("-")) {
            System.out.println("JSON " + json);
        } else {
            Files.writeString(Path.of(out), json + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        if (windowLat.count == 0) {
            return fail("no event arrived in the window");
        }
        if (!exact) {
            System.out.println("RESULT inexact: delivery was not exactly once (see above)");
            return 3;
        }
        System.out.println("RESULT ok");
        return 0;
    }

    /** True when every live subscriber has read the last acknowledged event of every connection. */
    boolean caughtUp() {
        for (Sub s : subs) {
            if (!s.open || s.ended) {
                continue;
            }
            for (int j = 0; j < s.topicList.length; j++) {
                for (int c = 0; c < pubConns; c++) {
                    if (lastN.get((s.firstSlot + j) * pubConns + c) < ackedN[c * topics + s.topicList[j]]) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    record Snapshot(long nanos, long delivered, long acked, long serverTicks, long clientTicks) {}

    Snapshot snapshot(Publisher p, Proc server, Proc client) throws IOException {
        long d = 0;
        for (IoLoop l : loops) {
            d += l.deliveredShared;
        }
        return new Snapshot(System.nanoTime(), d, p.acked, server.cpuTicks(), client.cpuTicks());
    }

    Histogram merged(int ph) {
        Histogram h = new Histogram();
        loops.forEach(l -> h.add(l.latency[ph]));
        return h;
    }

    // ======================================================================== subscribers

    static final int HEAD = 0, BODY = 1;
    static final int CH_SIZE = 0, CH_EXT = 1, CH_DATA = 2, CH_CRLF = 3, CH_END = 4;
    static final int WS_HEADER = 0, WS_PAYLOAD = 1;

    /** One stream: its socket and its parser state (HTTP head, chunks, SSE lines or WebSocket frames). */
    final class Sub {
        final int index, firstSlot;
        final int[] topicList;
        SocketChannel ch;
        boolean open, ended;
        int state = HEAD;
        boolean chunked;
        int chState = CH_SIZE;
        long chLeft;
        /** Bytes of a line, frame or head that spans reads. */
        byte[] carry = new byte[256];
        int carryLen;
        int wsState = WS_HEADER;
        final byte[] wsHeader = new byte[14];
        int wsHeaderLen;
        int wsOpcode;
        long wsLeft, wsLen;
        int seenConns;

        Sub(int index, int firstSlot, int[] topicList) {
            this.index = index;
            this.firstSlot = firstSlot;
            this.topicList = topicList;
        }

        /** The slot of topic k among this subscriber's, or -1 if it does not follow k. */
        int slotOf(int k) {
            for (int j = 0; j < topicList.length; j++) {
                if (topicList[j] == k) {
                    return firstSlot + j;
                }
            }
            return -1;
        }

        void append(byte[] b, int from, int to) {
            int n = to - from;
            if (carryLen + n > carry.length) {
                carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + n));
            }
            System.arraycopy(b, from, carry, carryLen, n);
            carryLen += n;
        }

        byte[] request() {
            String path;
            if (nchan) {
                path = (ws ? "/ws/t" : "/sse/t") + topicList[0];
            } else {
                StringBuilder q = new StringBuilder(ws ? "/v1/ws" : "/v1/sse");
                for (int j = 0; j < topicList.length; j++) {
                    q.append(j == 0 ? "?topic=t" : "&topic=t").append(topicList[j]);
                }
                path = q.toString();
            }
            String h = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n";
            h += ws ? "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    : "Accept: text/event-stream\r\n";
            return (h + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** A selector thread: connects its share of the streams, then reads and checks every delivery. */
    final class IoLoop implements Runnable {
        final int id;
        final Selector selector;
        final Queue<Sub> pending = new ConcurrentLinkedQueue<>();
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

        IoLoop(int id) throws IOException {
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
                Sub s = (Sub) k.attachment();
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
                    ph = phase;
                    for (SelectionKey k : selector.selectedKeys()) {
                        Sub s = (Sub) k.attachment();
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
                firstError = "selector: " + e;
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
            Sub s;
            while (connecting < 256 && (s = pending.poll()) != null) {
                try {
                    SocketChannel ch = SocketChannel.open();
                    s.ch = ch;
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    connecting++;
                    if (ch.connect(new InetSocketAddress(host, port))) {
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

        void connected(Sub s, SelectionKey k) throws IOException {
            s.ch.finishConnect();
            ByteBuffer req = ByteBuffer.wrap(s.request());
            while (req.hasRemaining()) {
                if (s.ch.write(req) == 0) {
                    throw new IOException("the request did not fit the socket buffer");
                }
            }
            k.interestOps(SelectionKey.OP_READ);
        }

        void connectFailed(Sub s, String why) {
            connecting--;
            failed.incrementAndGet();
            if (firstError == null) {
                firstError = "sub " + s.index + ": " + why;
            }
        }

        void close(Sub s, SelectionKey k, String why) {
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
                lost.incrementAndGet();
                if (firstError == null) {
                    firstError = "sub " + s.index + " ended: " + why;
                }
            }
        }

        void read(Sub s, SelectionKey k) throws IOException {
            buf.clear();
            int n = s.ch.read(buf);
            if (n < 0) {
                throw new IOException("the server closed the stream");
            }
            byte[] b = buf.array();
            int off = 0;
            if (s.state == HEAD) {
                off = head(s, b, 0, n);
                if (off < 0) {
                    return;
                }
            }
            if (ws) {
                wsBytes(s, b, off, n);
            } else if (s.chunked) {
                dechunk(s, b, off, n);
            } else {
                sseBytes(s, b, off, n);
            }
        }

        /** Collects the response head; the offset where the body starts, or -1 while incomplete. */
        int head(Sub s, byte[] b, int off, int end) throws IOException {
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
            String expect = ws ? " 101" : " 200";
            if (!head.startsWith("HTTP/1.1" + expect)) {
                throw new IOException("expected" + expect + ", got: " + head.lines().findFirst().orElse(""));
            }
            s.chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
            s.state = BODY;
            s.open = true;
            connecting--;
            opened.incrementAndGet();
            int bodyStart = end - (s.carryLen - headEnd);
            s.carryLen = 0;
            return bodyStart;
        }

        void dechunk(Sub s, byte[] b, int off, int end) throws IOException {
            while (off < end) {
                switch (s.chState) {
                    case CH_SIZE, CH_EXT -> {
                        byte x = b[off++];
                        if (x == '\n') {
                            if (s.chLeft == 0) {
                                s.chState = CH_END;
                                throw new IOException("the server ended the stream (last chunk)");
                            }
                            s.chState = CH_DATA;
                        } else if (s.chState == CH_SIZE && x != '\r') {
                            int v = Character.digit(x, 16);
                            if (v >= 0) {
                                s.chLeft = s.chLeft * 16 + v;
                            } else {
                                s.chState = CH_EXT;
                            }
                        }
                    }
                    case CH_DATA -> {
                        int n = (int) Math.min(end - off, s.chLeft);
                        sseBytes(s, b, off, off + n);
                        off += n;
                        s.chLeft -= n;
                        if (s.chLeft == 0) {
                            s.chState = CH_CRLF;
                        }
                    }
                    case CH_CRLF -> {
                        if (b[off++] == '\n') {
                            s.chState = CH_SIZE;
                        }
                    }
                    default -> throw new IOException("bytes after the last chunk");
                }
            }
        }

        /** SSE body bytes: complete lines are checked in place; a partial one waits in the carry. */
        void sseBytes(Sub s, byte[] b, int off, int end) {
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
        void wsBytes(Sub s, byte[] b, int off, int end) throws IOException {
            while (off < end) {
                if (s.wsState == WS_HEADER) {
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
                    s.wsState = WS_PAYLOAD;
                    if (len == 0) {
                        frame(s, b, off, off);
                        s.wsState = WS_HEADER;
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
                    s.wsState = WS_HEADER;
                    s.carryLen = 0;
                }
            }
        }

        void frame(Sub s, byte[] b, int from, int to) throws IOException {
            switch (s.wsOpcode) {
                case 0, 1, 2 -> message(s, b, from, to);
                case 8 -> throw new IOException("the server sent a close frame" + (to - from >= 2 // status code, then the reason
                        ? " " + (((b[from] & 0xff) << 8) | (b[from + 1] & 0xff)) + " " + new String(b, from + 2, to - from - 2, StandardCharsets.UTF_8)
                        : ""));
                case 9 -> pong(s, b, from, to);
                default -> { } // pong or reserved: nothing to do
            }
        }

        /** A masked pong with the ping's payload (at most 125 bytes); the mask key is all zeros. */
        void pong(Sub s, byte[] b, int from, int to) throws IOException {
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
        void message(Sub s, byte[] b, int from, int to) {
            int i = indexOf(b, from, to, MARKER);
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

        void deliver(Sub s, int c, long n, long t, int topic) {
            delivered++;
            latency[ph].record((now - t) / 1000);
            int slot = s.slotOf(topic);
            if (slot < 0) { // an event of a topic this stream does not follow: counted as reordered (fails the run)
                reorders++;
                return;
            }
            int k = slot * pubConns + c;
            long last = lastN.getPlain(k);
            if (last < 0) { // the first event of this connection: the stream is live from here on
                lastN.setRelease(k, n);
                if (++s.seenConns == pubConns * s.topicList.length) {
                    ready.incrementAndGet();
                }
            } else if (n == last + 1) {
                lastN.setRelease(k, n);
            } else if (n > last + 1) {
                gaps += n - last - 1;
                lastN.setRelease(k, n);
            } else if (n == last) {
                dups++;
            } else {
                reorders++;
            }
        }
    }

    static final byte[] MARKER = "\"lg\":[".getBytes(StandardCharsets.US_ASCII);

    static int indexOf(byte[] b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i <= to - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ======================================================================== publisher

    /**
     * Keep-alive connections, one request in flight on each (so each connection's events reach the
     * server in order). Fixed rate: a request is due every batch/rate seconds and leaves on the next
     * free connection in turn (so every connection publishes, however fast the answers); one due
     * while none is free waits (counted as not sent if still waiting when the
     * publisher stops). Saturation: each connection sends its next request when the answer comes.
     */
    final class Publisher implements Runnable {
        volatile boolean stop;
        volatile long acked;
        long notSent, failures, bursts;
        /** Requests answered 503 (overloaded): in all, and in the window. Their events were not stored. */
        volatile long refused, refusedInWindow;
        /** Most events in one request: a batch or a burst. */
        final int maxPerRequest = Math.max(batch, burst);
        volatile String firstError;
        final Histogram postLat = new Histogram();
        /** Send → answer read, of the requests answered 2xx in the window (µs). */
        final Histogram acceptedLat = new Histogram();
        final long[] nextN = new long[pubConns * topics];
        final byte[] pad;

        Publisher() {
            pad = new byte[payload];
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
            final ByteBuffer req = ByteBuffer.allocate(512 + maxPerRequest * (payload + 120));
            final byte[] body = new byte[maxPerRequest * (payload + 120)];
            // response parser
            boolean inHead = true;
            final byte[] line = new byte[256];
            int lineLen, status;
            long contentLeft;
            boolean chunked;
            int chState = CH_SIZE;
            long chLeft;

            Conn(int c) {
                this.c = c;
            }
        }

        @Override
        public void run() {
            try (Selector sel = Selector.open()) {
                Conn[] conns = new Conn[pubConns];
                for (int c = 0; c < pubConns; c++) {
                    conns[c] = open(sel, new Conn(c));
                }
                ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                long period = rate == 0 ? 0 : 1_000_000_000L * batch / rate;
                long due = System.nanoTime();
                long burstPeriod = seconds(burstEvery);
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
                    for (int i = 0; i < pubConns; i++) {
                        Conn cn = conns[(scanFrom + i) % pubConns];
                        if (!cn.busy && !stop && cn.retryAt - now <= 0) {
                            if (burst > 0 && burstDue <= now) { // on top of the rate: it does not move `due`
                                send(cn, burst, burstTopic);
                                burstTopic = (burstTopic + 1) % topics;
                                burstDue += burstPeriod;
                                bursts++;
                            } else if (rate == 0) {
                                send(cn, batch, -1);
                            } else if (due <= now) {
                                send(cn, batch, -1);
                                due += period;
                                firstConn = (cn.c + 1) % pubConns;
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
                    long next = burst > 0 ? Math.min(due, burstDue) : due;
                    if ((rate > 0 || burst > 0) && next <= now && anyFree && !stop) {
                        sel.selectNow(); // another request is due and a connection is free
                    } else {
                        long waitMs = rate == 0 && burst == 0 || next <= now || stop ? 100 : Math.max(1, (next - now) / 1_000_000);
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
                if (rate > 0) {
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
            cn.ch = SocketChannel.open(new InetSocketAddress(host, pubPort));
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
            if (!nchan && count > 1) {
                body[len++] = '[';
            }
            int firstTopic = fixedTopic >= 0 ? fixedTopic : cn.topicCursor;
            for (int e = 0; e < count; e++) {
                int topic = firstTopic;
                if (fixedTopic < 0) {
                    topic = cn.topicCursor;
                    cn.topicCursor = (cn.topicCursor + 1) % topics;
                }
                long n = nextN[cn.c * topics + topic]++;
                cn.inFlightTopic[e] = topic;
                cn.inFlightN[e] = n;
                if (count > 1) {
                    if (e > 0) {
                        body[len++] = ',';
                    }
                    len = ascii(body, len, "{\"topic\":\"t");
                    len = number(body, len, topic);
                    len = ascii(body, len, "\",\"data\":");
                }
                int start = len;
                len = ascii(body, len, "{\"lg\":[");
                len = number(body, len, cn.c);
                body[len++] = ',';
                len = number(body, len, n);
                body[len++] = ',';
                len = number(body, len, t);
                body[len++] = ',';
                len = number(body, len, topic);
                len = ascii(body, len, "],\"pad\":\"");
                int padLen = Math.max(0, payload - (len - start) - 2);
                System.arraycopy(pad, 0, body, len, padLen);
                len += padLen;
                body[len++] = '"';
                body[len++] = '}';
                if (count > 1) {
                    body[len++] = '}';
                }
            }
            if (!nchan && count > 1) {
                body[len++] = ']';
            }
            cn.inFlight = count;
            ByteBuffer req = cn.req;
            req.clear();
            byte[] r = req.array();
            int p = ascii(r, 0, "POST ");
            if (nchan) {
                p = ascii(r, p, "/pub/t");
                p = number(r, p, firstTopic);
            } else if (count > 1) {
                p = ascii(r, p, "/v1/events");
            } else {
                p = ascii(r, p, "/v1/topics/t");
                p = number(r, p, firstTopic);
                p = ascii(r, p, "/events");
            }
            p = ascii(r, p, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ");
            p = number(r, p, len);
            p = ascii(r, p, "\r\n\r\n");
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
                        cn.chState = CH_SIZE;
                        cn.chLeft = 0;
                        if (!cn.chunked && cn.contentLeft == 0) {
                            done(cn);
                        }
                    } else if (startsWithIgnoreCase(cn.line, len, "content-length:")) {
                        long v = 0;
                        for (int i = 15; i < len; i++) {
                            if (cn.line[i] >= '0' && cn.line[i] <= '9') {
                                v = v * 10 + (cn.line[i] - '0');
                            }
                        }
                        cn.contentLeft = v;
                    } else if (startsWithIgnoreCase(cn.line, len, "transfer-encoding:") && len >= 25) {
                        cn.chunked = true;
                    } else if (startsWithIgnoreCase(cn.line, len, "retry-after:")) {
                        long v = -1;
                        for (int i = 12; i < len; i++) {
                            if (cn.line[i] >= '0' && cn.line[i] <= '9') {
                                v = Math.max(0, v) * 10 + (cn.line[i] - '0');
                            } else if (v >= 0) {
                                break;
                            }
                        }
                        cn.retryAfter = v;
                    } else if (startsWithIgnoreCase(cn.line, len, "connection:") && containsIgnoreCase(cn.line, len, "close")) {
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
                    byte x = b[off];
                    switch (cn.chState) {
                        case CH_SIZE, CH_EXT -> {
                            off++;
                            if (x == '\n') {
                                cn.chState = cn.chLeft == 0 ? CH_END : CH_DATA;
                            } else if (cn.chState == CH_SIZE && x != '\r') {
                                int v = Character.digit(x, 16);
                                if (v >= 0) {
                                    cn.chLeft = cn.chLeft * 16 + v;
                                } else {
                                    cn.chState = CH_EXT;
                                }
                            }
                        }
                        case CH_DATA -> {
                            int n = (int) Math.min(end - off, cn.chLeft);
                            off += n;
                            cn.chLeft -= n;
                            if (cn.chLeft == 0) {
                                cn.chState = CH_CRLF;
                            }
                        }
                        case CH_CRLF -> {
                            off++;
                            if (x == '\n') {
                                cn.chState = CH_SIZE;
                            }
                        }
                        default -> { // after the last chunk: its CRLF ends the response
                            off++;
                            if (x == '\n') {
                                done(cn);
                            }
                        }
                    }
                }
            }
        }

        void done(Conn cn) {
            long now = System.nanoTime();
            postLat.record((now - cn.sentAt) / 1000);
            if (cn.status / 100 == 2) {
                if (phase == WINDOW) {
                    acceptedLat.record((now - cn.sentAt) / 1000);
                }
                for (int e = 0; e < cn.inFlight; e++) {
                    ackedN[cn.c * topics + cn.inFlightTopic[e]] = cn.inFlightN[e];
                }
                acked += cn.inFlight;
            } else if (cn.status == 503) {
                // Overloaded: nothing was stored. The events' n go back, so that the next request of this
                // connection carries them again and every subscriber still sees each n once, in order
                // (in reverse: a batch can hold a topic more than once, and its first n must win).
                for (int e = cn.inFlight - 1; e >= 0; e--) {
                    nextN[cn.c * topics + cn.inFlightTopic[e]] = cn.inFlightN[e];
                }
                refused++;
                if (phase == WINDOW) {
                    refusedInWindow++;
                }
                cn.retryAt = now + (cn.retryAfter > 0 ? Math.min(cn.retryAfter * 1_000_000_000L, 1_000_000_000L) : 50_000_000L);
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

    static int ascii(byte[] b, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            b[p++] = (byte) s.charAt(i);
        }
        return p;
    }

    static int number(byte[] b, int p, long v) {
        if (v == 0) {
            b[p++] = '0';
            return p;
        }
        int start = p;
        for (; v > 0; v /= 10) {
            b[p++] = (byte) ('0' + v % 10);
        }
        for (int i = start, j = p - 1; i < j; i++, j--) {
            byte x = b[i];
            b[i] = b[j];
            b[j] = x;
        }
        return p;
    }

    static boolean containsIgnoreCase(byte[] b, int len, String word) {
        outer:
        for (int i = 0; i + word.length() <= len; i++) {
            for (int j = 0; j < word.length(); j++) {
                if (Character.toLowerCase(b[i + j]) != word.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static boolean startsWithIgnoreCase(byte[] b, int len, String prefix) {
        if (len < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(b[i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // ======================================================================== server counters

    static final Pattern NUMBER = Pattern.compile("\"([a-z_]+)\":(\\d+)");

    /** wirehub's /v1/stats counters (overflows, catch_ups, resets, deliveries); nothing for nchan. */
    Map<String, Long> stats() {
        Map<String, Long> m = new HashMap<>();
        if (nchan) {
            return m;
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/stats"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher x = NUMBER.matcher(r.body());
            while (x.find()) {
                m.putIfAbsent(x.group(1), Long.parseLong(x.group(2)));
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("  (no /v1/stats: " + e + ")");
        }
        return m;
    }

    static final Pattern HEAP_USED = Pattern.compile("heap\\s+total.*?used (\\d+)K");

    /** The server's heap used after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}), KB; -1 without --jcmd. */
    long heapUsedKb() throws IOException, InterruptedException {
        if (jcmd.equals("none") || nchan) {
            return -1;
        }
        long sum = 0;
        for (long pid : serverPids) {
            runJcmd(pid, "GC.run");
            Matcher m = HEAP_USED.matcher(runJcmd(pid, "GC.heap_info"));
            if (!m.find()) {
                System.out.println("  (no heap figure from jcmd " + pid + " GC.heap_info)");
                return -1;
            }
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    String runJcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    /** Processes' counters from /proc, summed over their pids: CPU (utime + stime), RSS, threads. */
    record Proc(long[] pids, int clkTck) {
        long cpuTicks() throws IOException {
            long sum = 0;
            for (long pid : pids) {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
            }
            return sum;
        }

        long rssKb() throws IOException {
            return status("VmRSS:");
        }

        /** The sum of the processes' peak RSS (VmHWM, since each one started). */
        long rssPeakKb() throws IOException {
            return status("VmHWM:");
        }

        int threads() throws IOException {
            return (int) status("Threads:");
        }

        private long status(String name) throws IOException {
            long sum = 0;
            for (long pid : pids) {
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith(name)) {
                        sum += Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
                    }
                }
            }
            return sum;
        }
    }

    // ======================================================================== helpers

    /** The pids, plus each one's parent if that parent's name is {@code name} (nginx's master of a worker). */
    static long[] withParentNamed(long[] pids, String name) {
        java.util.LinkedHashSet<Long> all = new java.util.LinkedHashSet<>();
        for (long pid : pids) {
            all.add(pid);
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                if (Files.readString(Path.of("/proc/" + ppid + "/comm")).trim().equals(name)) {
                    all.add(ppid);
                }
            } catch (IOException | RuntimeException e) {
                // gone or unreadable: the pid alone
            }
        }
        return all.stream().mapToLong(Long::longValue).toArray();
    }

    /** Log-linear histogram of non-negative values (microseconds), about 0.2% precision; one thread. */
    static final class Histogram {
        static final int LINEAR = 1024;
        static final int SUB = 512;
        final long[] counts = new long[LINEAR + 54 * SUB];
        long max, count;

        void record(long v) {
            v = Math.max(0, v);
            counts[index(v)]++;
            max = Math.max(max, v);
            count++;
        }

        void add(Histogram o) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += o.counts[i];
            }
            max = Math.max(max, o.max);
            count += o.count;
        }

        static int index(long v) {
            if (v < LINEAR) {
                return (int) v;
            }
            int msb = 63 - Long.numberOfLeadingZeros(v);
            return LINEAR + (msb - 10) * SUB + (int) ((v >>> (msb - 9)) - SUB);
        }

        static long valueAt(int index) {
            if (index < LINEAR) {
                return index;
            }
            int msb = (index - LINEAR) / SUB + 10;
            return ((index - LINEAR) % SUB + SUB) << (msb - 9);
        }

        long quantile(double q) {
            if (count == 0) {
                return -1;
            }
            long rank = (long) Math.ceil(q * count);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Math.min(valueAt(i), max);
                }
            }
            return max;
        }
    }

    static double ms(long micros) {
        return micros < 0 ? -1 : round(micros / 1000.0, 2);
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static long seconds(double s) {
        return (long) (s * 1e9);
    }

    static String toJson(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        for (var e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof String s) {
                b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                b.append(v);
            }
        }
        return b.append('}').toString();
    }

    static int fail(String why) {
        System.out.println("FAILED: " + why);
        return 1;
    }

    static void usage(String why) {
        System.err.println("loadgen: " + why);
        System.exit(2);
    }

    static String choice(Map<String, String> o, String name, String... allowed) {
        String v = o.get(name);
        if (!List.of(allowed).contains(v)) {
            usage("--" + name + " is one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    static int intArg(Map<String, String> o, String name) {
        try {
            return Integer.parseInt(o.get(name));
        } catch (NumberFormatException e) {
            usage("--" + name + " needs a whole number, got '" + o.get(name) + "'");
            return 0;
        }
    }

    static double doubleArg(Map<String, String> o, String name) {
        try {
            return Double.parseDouble(o.get(name));
        } catch (NumberFormatException e) {
            usage("--" + name + " needs a number, got '" + o.get(name) + "'");
            return 0;
        }
    }

    /** {@code --name value} pairs over the given name/default pairs; "" marks a required one. */
    static Map<String, String> parseArgs(String[] args, String... namesAndDefaults) {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (int i = 0; i < namesAndDefaults.length; i += 2) {
            defaults.put(namesAndDefaults[i], namesAndDefaults[i + 1]);
        }
        Map<String, String> out = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !defaults.containsKey(name) || i + 1 == args.length) {
                usage("usage: java LoadGen.java --port N --pid PID[,PID] [--" + String.join(" V] [--", defaults.keySet()) + " V]");
            }
            out.put(name, args[++i]);
        }
        for (var e : out.entrySet()) {
            if (e.getValue().isEmpty() && !e.getKey().equals("label")) {
                usage("--" + e.getKey() + " is required");
            }
        }
        return out;
    }
}
