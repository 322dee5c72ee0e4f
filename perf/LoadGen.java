import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * <p>This file runs a case and reports it; the parts are files of their own: {@link SubscriberLoop}
 * (the NIO subscriber client, one selector thread each, over {@link SubscriberStream}s),
 * {@link PipelinedPublisher}, {@link ProcStats} (/proc sampling), and the helpers {@link Histogram},
 * {@link ChunkedBody}, {@link AsciiBytes} and {@link Args}, which other perf programs share.
 *
 * <p>The read path parses bytes in place: no object per event. Run with the JDK's multi-file source
 * launcher, {@code java perf/LoadGen.java --port P --pid PID [...]}, which finds those files next to
 * it (perf/README.md). Exit: 0 ok, 1 a figure could not be measured, 2 bad arguments, 3 delivery was
 * not exactly once.
 */
public class LoadGen {

    public static void main(String[] args) throws Exception {
        Args o = Args.parse(
                "LoadGen",
                args,
                "server",
                "wirehub",
                "transport",
                "sse",
                "host",
                "127.0.0.1",
                "port",
                Args.REQUIRED,
                "pid",
                Args.REQUIRED,
                "subscribers",
                "100",
                "topics",
                "1",
                "rate",
                "0",
                "batch",
                "1",
                "pub-conns",
                "2",
                "payload",
                "150",
                "warmup",
                "2",
                "cold",
                "2",
                "window",
                "5",
                "drain",
                "30",
                "io-threads",
                "2",
                "connect-timeout",
                "60",
                "clk-tck",
                "100",
                "out",
                "-",
                "label",
                "",
                "topics-per-sub",
                "1",
                "burst",
                "0",
                "burst-every",
                "1",
                "jcmd",
                "none",
                "pub-port",
                "same");
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

    // ---- shared state. A slot is (subscriber, one of its topics); SubscriberStream.firstSlot + j is its j-th.
    // Index of (slot, publisher connection c): slot * pubConns + c.
    /** Last n seen; -1 before the first. Written by the subscriber's selector thread only. */
    final AtomicLongArray lastN;
    /** Last n acknowledged per (connection, topic): c * topics + topic. PipelinedPublisher thread only. */
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

    final List<SubscriberLoop> loops = new ArrayList<>();
    final SubscriberStream[] subs;

    LoadGen(Args o) {
        nchan = o.choice("server", "wirehub", "nchan").equals("nchan");
        ws = o.choice("transport", "sse", "ws").equals("ws");
        host = o.get("host");
        port = o.intArg("port");
        pubPort = o.get("pub-port").equals("same") ? port : o.intArg("pub-port");
        serverPids = Arrays.stream(o.get("pid").split(","))
                .mapToLong(Long::parseLong)
                .toArray();
        subscribers = o.intArg("subscribers");
        topics = o.intArg("topics");
        rate = o.intArg("rate");
        batch = o.intArg("batch");
        pubConns = o.intArg("pub-conns");
        payload = o.intArg("payload");
        ioThreads = o.intArg("io-threads");
        clkTck = o.intArg("clk-tck");
        warmup = o.doubleArg("warmup");
        cold = o.doubleArg("cold");
        window = o.doubleArg("window");
        drain = o.doubleArg("drain");
        connectTimeout = o.doubleArg("connect-timeout");
        out = o.get("out");
        label = o.get("label");
        String[] perSub = o.get("topics-per-sub").split("-", 2);
        minTopicsPerSub = o.intValue("topics-per-sub", perSub[0]);
        maxTopicsPerSub = perSub.length == 1 ? minTopicsPerSub : o.intValue("topics-per-sub", perSub[1]);
        burst = o.intArg("burst");
        burstEvery = o.doubleArg("burst-every");
        jcmd = o.get("jcmd");
        if (nchan && batch != 1) {
            o.usage("nchan publishes one message per request: --batch 1");
        }
        if (nchan && (burst > 0 || maxTopicsPerSub > 1)) {
            o.usage("--burst and --topics-per-sub above 1 are wirehub only (batch publish, several topics per stream)");
        }
        if (minTopicsPerSub < 1
                || maxTopicsPerSub < minTopicsPerSub
                || maxTopicsPerSub > topics
                || burst < 0
                || burstEvery <= 0) {
            o.usage(
                    "--topics-per-sub is K or MIN-MAX with 1 <= MIN <= MAX <= --topics; --burst >= 0; --burst-every > 0");
        }
        if (subscribers < 1 || topics < 1 || pubConns < 1 || batch < 1 || ioThreads < 1 || payload < 40) {
            o.usage("--subscribers, --topics, --pub-conns, --batch, --io-threads must be >= 1, --payload >= 40");
        }
        subs = new SubscriberStream[subscribers];
        int slots = 0;
        for (int i = 0; i < subscribers; i++) {
            subs[i] = new SubscriberStream(i, slots, topicsOf(i));
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
        String what = String.format(
                Locale.ROOT,
                "%s %s, %d subscribers on %d topic(s)%s, %s, %d-byte events, %d publisher connection(s)%s%s",
                nchan ? "nchan" : "wirehub",
                ws ? "WebSocket" : "SSE",
                subscribers,
                topics,
                maxTopicsPerSub > 1 ? " (" + minTopicsPerSub + "-" + maxTopicsPerSub + " each)" : "",
                rate == 0 ? "saturation" : rate + " events/s",
                payload,
                pubConns,
                batch > 1 ? ", batches of " + batch : "",
                burst > 0 ? ", bursts of " + burst + " to one topic every " + burstEvery + " s" : "");
        System.out.println(
                "loadgen: " + what + (pubPort != port ? ", published on port " + pubPort + ", served on " + port : ""));
        ProcStats server = new ProcStats(serverPids, clkTck);
        ProcStats client = new ProcStats(new long[] {ProcessHandle.current().pid()}, clkTck);
        Map<String, Long> statsStart = stats();
        long heapBefore = heapUsedKb(); // first: its full GC shrinks the heap, and RSS with it
        long rssBefore = server.rssKb();

        // 1. Connect every stream, a bounded number at a time per selector thread.
        long t0 = System.nanoTime();
        for (int i = 0; i < ioThreads; i++) {
            SubscriberLoop loop = new SubscriberLoop(this, i);
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
        loops.forEach(
                SubscriberLoop
                        ::abandonConnects); // what has not opened by now is a connect failure, not a late subscriber
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        int openedCount = opened.get();
        int connectFailures = subscribers - openedCount;
        System.out.printf(
                Locale.ROOT,
                "  connected      %d of %d streams in %.2f s, %d failed%s%n",
                openedCount,
                subscribers,
                connectSeconds,
                connectFailures,
                firstError == null ? "" : " (first: " + firstError + ")");
        if (openedCount == 0) {
            return fail("no stream opened");
        }
        Thread.sleep(500); // let the server finish registering what it accepted
        long heapIdle = heapUsedKb();
        long rssIdle = server.rssKb();

        // 2. Publish: cold seconds, then warm-up until every subscriber is live on every connection.
        PipelinedPublisher publisher = new PipelinedPublisher(this);
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
                return fail(ready.get() + " of " + openedCount
                        + " streams saw an event of every publisher connection within the warm-up" + " (published "
                        + publisher.acked + ", first error: " + (firstError != null ? firstError : publisher.firstError)
                        + ")");
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
        loops.forEach(SubscriberLoop::stop);
        for (SubscriberLoop l : loops) {
            l.thread.join(5000);
        }

        // 5. Exactly once: in-stream counts from the loops, plus what never came after the last read.
        long gaps = 0, dups = 0, reorders = 0, ended = 0;
        for (SubscriberLoop l : loops) {
            gaps += l.gaps;
            dups += l.dups;
            reorders += l.reorders;
        }
        for (SubscriberStream s : subs) {
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
        long rssPeak =
                new ProcStats(nchan ? ProcStats.withParentNamed(serverPids, "nginx") : serverPids, clkTck).rssPeakKb();
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
        r.put(
                "topics_per_sub",
                minTopicsPerSub == maxTopicsPerSub ? "" + minTopicsPerSub : minTopicsPerSub + "-" + maxTopicsPerSub);
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
        r.put(
                "cold_server_cpu_cores",
                round((coldEnd.serverTicks - cpuColdServer) / (double) clkTck / (coldNanos / 1e9), 2));
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
        for (String k : List.of(
                "client_gone",
                "client_closed",
                "write_timeout",
                "pong_timeout",
                "overflow",
                "subscription_flood",
                "store_unavailable",
                "error")) {
            if (statsStart.containsKey(k) && statsW1.containsKey(k)) {
                r.put("server_closes_" + k, statsW1.get(k) - statsStart.get(k));
            }
        }
        if (statsStart.containsKey("overflows") && statsW1.containsKey("overflows")) {
            r.put("server_overflows_total", statsW1.get("overflows") - statsStart.get("overflows"));
            r.put("server_catch_ups_total", statsW1.get("catch_ups") - statsStart.get("catch_ups"));
        }
        r.put("load_avg", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        boolean exact = gaps == 0
                && dups == 0
                && reorders == 0
                && ended == 0
                && connectFailures == 0
                && drained
                && publisher.failures == 0;
        r.put("exact", exact);

        System.out.printf(
                Locale.ROOT,
                "  published      %.1f/s accepted in the window (%s), %d not sent, %d failed%n",
                r.get("publishes_per_s"),
                rate == 0 ? "as fast as answered" : "target " + rate + "/s",
                publisher.notSent,
                publisher.failures);
        System.out.printf(
                Locale.ROOT,
                "  publish ms     p50 %s  p99 %s  (%d accepted in the window, request sent -> answer read); refused 503: %d in the window (%.1f/s), %d in all%n",
                r.get("publish_p50_ms"),
                r.get("publish_p99_ms"),
                publisher.acceptedLat.count,
                refusedW1,
                r.get("publishes_refused_per_s"),
                publisher.refused);
        System.out.printf(Locale.ROOT, "  deliveries/s   %d over %.2f s%n", r.get("deliveries_per_s"), w);
        System.out.printf(
                Locale.ROOT,
                "  latency ms     p50 %s  p95 %s  p99 %s  p99.9 %s  max %s  (%d samples, publish send -> subscriber read)%n",
                r.get("p50_ms"),
                r.get("p95_ms"),
                r.get("p99_ms"),
                r.get("p999_ms"),
                r.get("max_ms"),
                windowLat.count);
        System.out.printf(
                Locale.ROOT,
                "  cold %.1f s     %.1f publishes/s, %d deliveries/s, p99 %s ms, server %.2f cores%n",
                coldNanos / 1e9,
                r.get("cold_publishes_per_s"),
                r.get("cold_deliveries_per_s"),
                r.get("cold_p99_ms"),
                r.get("cold_server_cpu_cores"));
        System.out.printf(
                Locale.ROOT,
                "  exactness      gaps %d, duplicates %d, reordered %d, streams ended %d, connect failures %d, drained %s%n",
                gaps,
                dups,
                reorders,
                ended,
                connectFailures,
                drained);
        System.out.printf(
                Locale.ROOT,
                "  server         CPU %.2f cores, %s µs/delivery; RSS %d -> %d (idle) -> %d KB (loaded), peak %d KB: %s KB/idle stream, %s KB/loaded stream; %d threads%s%n",
                r.get("server_cpu_cores"),
                r.get("server_cpu_us_per_delivery"),
                rssBefore,
                rssIdle,
                rssLoaded,
                rssPeak,
                r.get("kb_per_idle_stream"),
                r.get("kb_per_loaded_stream"),
                serverThreads,
                r.containsKey("server_overflows")
                        ? "; overflows " + r.get("server_overflows") + ", catch-ups " + r.get("server_catch_ups")
                                + "; closes since connect: client_gone " + r.get("server_closes_client_gone")
                                + ", write_timeout "
                                + r.get("server_closes_write_timeout") + ", pong_timeout "
                                + r.get("server_closes_pong_timeout") + ", overflow "
                                + r.get("server_closes_overflow") + ", error " + r.get("server_closes_error")
                        : "");
        if (r.containsKey("server_heap_idle_kb")) {
            System.out.printf(
                    Locale.ROOT,
                    "  server heap    after a full GC: %d -> %d (idle) -> %d KB (loaded): %s KB/idle stream, %s KB/loaded stream%n",
                    heapBefore,
                    heapIdle,
                    heapLoaded,
                    r.get("heap_kb_per_idle_stream"),
                    r.get("heap_kb_per_loaded_stream"));
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
            Files.writeString(
                    Path.of(out),
                    json + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
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
        for (SubscriberStream s : subs) {
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

    Snapshot snapshot(PipelinedPublisher p, ProcStats server, ProcStats client) throws IOException {
        long d = 0;
        for (SubscriberLoop l : loops) {
            d += l.deliveredShared;
        }
        return new Snapshot(System.nanoTime(), d, p.acked, server.cpuTicks(), client.cpuTicks());
    }

    Histogram merged(int ph) {
        Histogram h = new Histogram();
        loops.forEach(l -> h.add(l.latency[ph]));
        return h;
    }

    static final Pattern NUMBER = Pattern.compile("\"([a-z_]+)\":(\\d+)");

    /** wirehub's /v1/stats counters (overflows, catch_ups, resets, deliveries); nothing for nchan. */
    Map<String, Long> stats() {
        Map<String, Long> m = new HashMap<>();
        if (nchan) {
            return m;
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/stats"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
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
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
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
                b.append('"')
                        .append(s.replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
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
}
