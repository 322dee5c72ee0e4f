import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a results directory of LoadGen runs ({@code results.jsonl}, one JSON object per run) into
 * {@code runs.md} (every run, one row), {@code compare.md} (wirehub / nchan per test, when both ran)
 * and four hand-written SVG plots: {@code deliveries.svg} (saturation deliveries/s against
 * subscribers), {@code latency.svg} (p99 at a fixed rate against subscribers),
 * {@code latency-saturation.svg} (delivery p99 at saturation against subscribers) and {@code rss.svg}
 * (the server's peak RSS at saturation against subscribers). Prints the
 * compare table (or the runs table) to stdout.
 *
 * <p>Run: {@code java perf/Report.java perf/results/<run>}. When a test ran more than once in the
 * directory, the last run counts.
 */
public class Report {

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java perf/Report.java RESULTS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<Map<String, String>> runs = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
            if (!line.isBlank()) {
                runs.add(parse(line));
            }
        }
        Files.writeString(dir.resolve("runs.md"), runsTable(runs));
        Files.writeString(
                dir.resolve("deliveries.svg"),
                plot(runs, "saturation", "deliveries/s at saturation", r -> num(r, "deliveries_per_s"), false));
        Files.writeString(
                dir.resolve("latency.svg"),
                plot(
                        runs,
                        "rate",
                        "p99 latency (ms) at a fixed rate (events/s at each point)",
                        r -> num(r, "p99_ms"),
                        true));
        Files.writeString(
                dir.resolve("latency-saturation.svg"),
                plot(runs, "saturation", "delivery p99 latency (ms) at saturation", r -> num(r, "p99_ms"), true));
        Files.writeString(
                dir.resolve("rss.svg"),
                plot(
                        runs,
                        "saturation",
                        "server peak RSS (MB) at saturation",
                        r -> num(r, "server_rss_peak_kb") / 1024,
                        false));
        boolean both = runs.stream().anyMatch(r -> r.get("server").equals("nchan"))
                && runs.stream().anyMatch(r -> r.get("server").equals("wirehub"));
        if (both) {
            String compare = compareTable(runs);
            Files.writeString(dir.resolve("compare.md"), compare);
            System.out.print(compare);
        } else {
            System.out.print(runsTable(runs));
        }
    }

    static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]*)");

    static Map<String, String> parse(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = FIELD.matcher(json);
        while (x.find()) {
            String v = x.group(2);
            m.put(x.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return m;
    }

    static double num(Map<String, String> r, String k) {
        String v = r.get(k);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    static String key(Map<String, String> r) {
        return r.get("server") + "/" + r.get("transport") + "/" + r.get("mode") + "/" + r.get("rate_target") + "/"
                + r.get("subscribers");
    }

    static String runsTable(List<Map<String, String>> runs) {
        StringBuilder b = new StringBuilder();
        b.append(
                "| server | transport | subscribers | publisher | publishes/s | deliveries/s | latency p50 / p99 / p99.9 / max ms"
                        + " | publish p50 / p99 ms | refused 503 (/s) | cold publishes/s | gaps / dup / reordered | KB per idle / loaded stream"
                        + " | peak RSS MB | server CPU µs per delivery (cores) | overflows / catch-ups | client CPU cores | load avg |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var r : runs) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %,d | %s | %,.0f | %,.0f | %s / %s / %s / %s | %s / %s | %s | %,.0f | %s / %s / %s | %s / %s | %s | %s (%s) | %s / %s | %s | %s |%n",
                    r.get("server"),
                    r.get("transport"),
                    (long) num(r, "subscribers"),
                    r.get("mode").equals("saturation") ? "saturation" : r.get("rate_target") + "/s",
                    num(r, "publishes_per_s"),
                    num(r, "deliveries_per_s"),
                    r.get("p50_ms"),
                    r.get("p99_ms"),
                    r.get("p999_ms"),
                    r.get("max_ms"),
                    r.getOrDefault("publish_p50_ms", "–"),
                    r.getOrDefault("publish_p99_ms", "–"),
                    refused(r),
                    num(r, "cold_publishes_per_s"),
                    r.get("gaps"),
                    r.get("duplicates"),
                    r.get("reordered"),
                    r.get("kb_per_idle_stream"),
                    r.get("kb_per_loaded_stream"),
                    mb(r),
                    r.get("server_cpu_us_per_delivery"),
                    r.get("server_cpu_cores"),
                    r.getOrDefault("server_overflows", "–"),
                    r.getOrDefault("server_catch_ups", "–"),
                    r.get("client_cpu_cores"),
                    r.get("load_avg")));
        }
        return b.toString();
    }

    static String compareTable(List<Map<String, String>> runs) {
        Map<String, Map<String, String>> byKey = new LinkedHashMap<>();
        runs.forEach(r -> byKey.put(key(r), r));
        // Per run, beside the test's figure: the publish round trip (p99 of the publishes accepted in the
        // window; refused = answered 503 in the window) and the server's peak RSS (VmHWM), with ratios.
        StringBuilder b = new StringBuilder("| test | wirehub | nchan | wirehub / nchan"
                + " | publish p99 (refused): wirehub | nchan | wirehub / nchan | peak RSS: wirehub | nchan | wirehub / nchan |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        TreeSet<Integer> satTiers = new TreeSet<>();
        TreeMap<String, String> rateCases = new TreeMap<>();
        for (var r : runs) {
            if (r.get("mode").equals("saturation")) {
                satTiers.add((int) num(r, "subscribers"));
            } else {
                rateCases.put(
                        String.format("%08d/%08d", (int) num(r, "subscribers"), (int) num(r, "rate_target")),
                        r.get("rate_target") + "/" + r.get("subscribers"));
            }
        }
        for (String t : List.of("sse", "ws")) {
            String name = t.equals("sse") ? "SSE" : "WebSocket";
            for (int n : satTiers) {
                var w = byKey.get("wirehub/" + t + "/saturation/0/" + n);
                var x = byKey.get("nchan/" + t + "/saturation/0/" + n);
                if (w == null || x == null) {
                    continue;
                }
                // deliveries/s, then the delivery latency at saturation (the same p50 / p99 fields as the fixed-rate
                // rows)
                b.append(String.format(
                        Locale.ROOT,
                        "| %s saturation, %,d subscribers: deliveries/s (publishes/s), delivery p50 / p99"
                                + " | %s (%s/s), %s / %s ms%s | %s (%s/s), %s / %s ms%s | %.2f, p99 %s |%s%n",
                        name,
                        n,
                        k(num(w, "deliveries_per_s")),
                        k(num(w, "publishes_per_s")),
                        w.get("p50_ms"),
                        w.get("p99_ms"),
                        flag(w),
                        k(num(x, "deliveries_per_s")),
                        k(num(x, "publishes_per_s")),
                        x.get("p50_ms"),
                        x.get("p99_ms"),
                        flag(x),
                        num(w, "deliveries_per_s") / num(x, "deliveries_per_s"),
                        ratio(num(w, "p99_ms"), num(x, "p99_ms")),
                        overload(w, x)));
            }
            for (String rc : rateCases.values()) {
                String rate = rc.split("/")[0], n = rc.split("/")[1];
                var w = byKey.get("wirehub/" + t + "/rate/" + rate + "/" + n);
                var x = byKey.get("nchan/" + t + "/rate/" + rate + "/" + n);
                if (w == null || x == null) {
                    continue;
                }
                b.append(String.format(
                        Locale.ROOT,
                        "| p50 / p99, %s, %s ev/s × %,d (achieved ev/s) | %s / %s ms (%s)%s | %s / %s ms (%s)%s | p99 %.2f |%s%n",
                        name,
                        rate,
                        Integer.parseInt(n),
                        w.get("p50_ms"),
                        w.get("p99_ms"),
                        w.get("publishes_per_s"),
                        flag(w),
                        x.get("p50_ms"),
                        x.get("p99_ms"),
                        x.get("publishes_per_s"),
                        flag(x),
                        num(w, "p99_ms") / num(x, "p99_ms"),
                        overload(w, x)));
            }
        }
        if (!satTiers.isEmpty()) {
            int top = satTiers.last();
            var ws = byKey.get("wirehub/sse/saturation/0/" + top);
            var ww = byKey.get("wirehub/ws/saturation/0/" + top);
            var ns = byKey.get("nchan/sse/saturation/0/" + top);
            var nw = byKey.get("nchan/ws/saturation/0/" + top);
            if (ws != null && ww != null && ns != null && nw != null) {
                b.append(String.format(
                        Locale.ROOT,
                        "| idle RSS per subscriber, %,d streams, fresh process (SSE / WS) | %s / %s KB | %s / %s KB | %.1f / %.1f | | | | | | |%n",
                        top,
                        ws.get("kb_per_idle_stream"),
                        ww.get("kb_per_idle_stream"),
                        ns.get("kb_per_idle_stream"),
                        nw.get("kb_per_idle_stream"),
                        num(ws, "kb_per_idle_stream") / num(ns, "kb_per_idle_stream"),
                        num(ww, "kb_per_idle_stream") / num(nw, "kb_per_idle_stream")));
            }
            int bottom = satTiers.first();
            var cs = byKey.get("wirehub/sse/saturation/0/" + bottom);
            var cn = byKey.get("nchan/sse/saturation/0/" + bottom);
            if (cs != null && cn != null) {
                b.append(String.format(
                        Locale.ROOT,
                        "| the first %.0f s after start (cold), SSE %,d subscribers: publishes/s | %,.0f | %,.0f | %.2f | | | | | | |%n",
                        num(cs, "cold_s"),
                        bottom,
                        num(cs, "cold_publishes_per_s"),
                        num(cn, "cold_publishes_per_s"),
                        num(cs, "cold_publishes_per_s") / num(cn, "cold_publishes_per_s")));
            }
        }
        if (!rateCases.isEmpty()) {
            String rc = rateCases.lastEntry().getValue();
            String rate = rc.split("/")[0], n = rc.split("/")[1];
            var ws = byKey.get("wirehub/sse/rate/" + rate + "/" + n);
            var ww = byKey.get("wirehub/ws/rate/" + rate + "/" + n);
            var ns = byKey.get("nchan/sse/rate/" + rate + "/" + n);
            var nw = byKey.get("nchan/ws/rate/" + rate + "/" + n);
            if (ws != null && ww != null && ns != null && nw != null) {
                b.append(String.format(
                        Locale.ROOT,
                        "| server CPU per delivery, %s ev/s × %,d (SSE / WS) | %s / %s µs | %s / %s µs | %.1f / %.1f | | | | | | |%n",
                        rate,
                        Integer.parseInt(n),
                        ws.get("server_cpu_us_per_delivery"),
                        ww.get("server_cpu_us_per_delivery"),
                        ns.get("server_cpu_us_per_delivery"),
                        nw.get("server_cpu_us_per_delivery"),
                        num(ws, "server_cpu_us_per_delivery") / num(ns, "server_cpu_us_per_delivery"),
                        num(ww, "server_cpu_us_per_delivery") / num(nw, "server_cpu_us_per_delivery")));
            }
        }
        long inexact = runs.stream().filter(r -> !"true".equals(r.get("exact"))).count();
        b.append(String.format(
                Locale.ROOT,
                "%n%d runs, %s.%n",
                runs.size(),
                inexact == 0
                        ? "every one with 0 gaps, 0 duplicates, 0 reordered"
                        : inexact + " NOT exactly once (marked ✗)"));
        return b.toString();
    }

    /** The publish p99, refused and peak RSS cells of a compare row, wirehub's run then nchan's, with their ratios. */
    static String overload(Map<String, String> w, Map<String, String> x) {
        return String.format(
                Locale.ROOT,
                " %s | %s | %s | %s | %s | %s |",
                w.containsKey("publish_p99_ms") ? w.get("publish_p99_ms") + " ms (" + refused(w) + ")" : "–",
                x.containsKey("publish_p99_ms") ? x.get("publish_p99_ms") + " ms (" + refused(x) + ")" : "–",
                ratio(num(w, "publish_p99_ms"), num(x, "publish_p99_ms")),
                mb(w),
                mb(x),
                ratio(num(w, "server_rss_peak_kb"), num(x, "server_rss_peak_kb")));
    }

    /** Publishes refused with 503 in the window: "0", or "N, x/s"; "–" for a run from before the field. */
    static String refused(Map<String, String> r) {
        if (!r.containsKey("publishes_refused")) {
            return "–";
        }
        long n = (long) num(r, "publishes_refused");
        return n == 0 ? "0" : String.format(Locale.ROOT, "%,d, %s/s", n, r.get("publishes_refused_per_s"));
    }

    /** The server's peak RSS in MB, or "–". */
    static String mb(Map<String, String> r) {
        double kb = num(r, "server_rss_peak_kb");
        return kb > 0 ? String.format(Locale.ROOT, "%,.0f MB", kb / 1024) : "–";
    }

    static String ratio(double a, double b) {
        return a > 0 && b > 0 ? String.format(Locale.ROOT, "%.2f", a / b) : "–";
    }

    static String flag(Map<String, String> r) {
        return "true".equals(r.get("exact")) ? "" : " ✗";
    }

    static String k(double v) {
        return v >= 10_000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%,.0f", v);
    }

    // ------------------------------------------------------------------ SVG

    static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
    };

    /** A line plot, x = subscribers (log scale), one series per server, transport and rate. */
    static String plot(
            List<Map<String, String>> runs,
            String mode,
            String title,
            ToDoubleFunction<Map<String, String>> y,
            boolean logY) {
        Map<String, TreeMap<Double, Double>> series = new TreeMap<>();
        Map<String, String> rates = new java.util.HashMap<>();
        for (var r : runs) {
            if (!r.get("mode").equals(mode)) {
                continue;
            }
            double v = y.applyAsDouble(r);
            if (!(v > 0)) {
                continue;
            }
            String name = r.get("server") + " " + (r.get("transport").equals("ws") ? "WebSocket" : "SSE");
            series.computeIfAbsent(name, x -> new TreeMap<>()).put(num(r, "subscribers"), v);
            if (mode.equals("rate")) { // one series per server and transport; each point says its rate
                rates.put(name + "/" + num(r, "subscribers"), r.get("rate_target") + "/s");
            }
        }
        int w = 640, h = 400, left = 80, right = 200, top = 40, bottom = 50;
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n",
                w + right,
                h,
                left,
                title));
        if (series.isEmpty()) {
            return s.append("<text x=\"80\" y=\"80\">no runs</text></svg>\n").toString();
        }
        double xMin =
                series.values().stream().mapToDouble(TreeMap::firstKey).min().orElse(1);
        double xMax =
                series.values().stream().mapToDouble(TreeMap::lastKey).max().orElse(10);
        double yMax = series.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToDouble(d -> d)
                .max()
                .orElse(1);
        double yMin = logY
                ? series.values().stream()
                        .flatMap(m -> m.values().stream())
                        .mapToDouble(d -> d)
                        .min()
                        .orElse(1)
                : 0;
        double lx0 = Math.log10(xMin), lx1 = Math.max(Math.log10(xMax), lx0 + 1);
        double ly0 = logY ? Math.floor(Math.log10(yMin)) : 0, ly1 = logY ? Math.ceil(Math.log10(yMax)) : niceMax(yMax);
        var sx = (java.util.function.DoubleUnaryOperator)
                v -> left + (Math.log10(v) - lx0) / (lx1 - lx0) * (w - left - 20);
        var sy = (java.util.function.DoubleUnaryOperator)
                v -> top + (1 - ((logY ? Math.log10(v) : v) - ly0) / (ly1 - ly0)) * (h - top - bottom);
        // axes and grid
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left,
                h - bottom,
                w - 20,
                h - bottom));
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left,
                top,
                left,
                h - bottom));
        for (double e = Math.ceil(lx0); e <= lx1 + 1e-9; e++) {
            double v = Math.pow(10, e);
            double px = sx.applyAsDouble(v);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px,
                    top,
                    px,
                    h - bottom,
                    px,
                    h - bottom + 16,
                    String.format(Locale.ROOT, "%,.0f", v)));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">subscribers (log scale)</text>%n",
                (left + w - 20) / 2,
                h - 12));
        List<Double> ticks = new ArrayList<>();
        if (logY) {
            for (double e = ly0; e <= ly1; e++) {
                ticks.add(Math.pow(10, e));
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(ly1 * i / 5);
            }
        }
        for (double v : ticks) {
            double py = logY ? sy.applyAsDouble(v) : top + (1 - v / ly1) * (h - top - bottom);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left,
                    py,
                    w - 20,
                    py,
                    left - 6,
                    py + 4,
                    v >= 1000
                            ? String.format(Locale.ROOT, "%,.0fk", v / 1000)
                            : String.format(Locale.ROOT, "%,.0f", v)));
        }
        int i = 0;
        for (var e : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            boolean dashed = e.getKey().contains("WebSocket");
            StringBuilder pts = new StringBuilder();
            for (var p : e.getValue().entrySet()) {
                double px = sx.applyAsDouble(p.getKey());
                double py = logY ? sy.applyAsDouble(p.getValue()) : top + (1 - p.getValue() / ly1) * (h - top - bottom);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                s.append(String.format(
                        Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
                String rate = rates.get(e.getKey() + "/" + p.getKey());
                if (rate != null) {
                    s.append(String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>%n",
                            px + 5,
                            py - 5,
                            color,
                            rate));
                }
            }
            s.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(),
                    color,
                    dashed ? " stroke-dasharray=\"6,4\"" : ""));
            int ly = top + 10 + i * 18;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    w,
                    ly,
                    w + 24,
                    ly,
                    color,
                    dashed ? " stroke-dasharray=\"6,4\"" : "",
                    w + 30,
                    ly + 4,
                    e.getKey()));
            i++;
        }
        return s.append("</svg>\n").toString();
    }

    static double niceMax(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
