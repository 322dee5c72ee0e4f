import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the runs of perf/buffer.sh ({@code results.jsonl}, labelled {@code buffer=B profile=P}) into
 * {@code buffer.md}, one row per case with its runs side by side, and {@code overflows.svg}:
 * overflows per 1,000 deliveries against the buffer size, one line per transport, profile and
 * subscriber count (the mean of the runs). Prints the table.
 *
 * <p>Run: {@code java perf/BufferReport.java perf/results/<run>} (the JDK's multi-file source
 * launcher finds Report.java next to it, whose JSON reader this shares).
 */
public class BufferReport {

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java perf/BufferReport.java RESULTS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        // case key (N, transport, profile, buffer) -> its runs, in the order they ran
        Map<Case, List<Map<String, String>>> cases = new TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
            if (!line.isBlank()) {
                Map<String, String> r = Report.parse(line);
                cases.computeIfAbsent(Case.of(r), c -> new ArrayList<>()).add(r);
            }
        }
        String table = table(cases);
        Files.writeString(dir.resolve("buffer.md"), table);
        Files.writeString(dir.resolve("overflows.svg"), plot(cases));
        System.out.print(table);
    }

    record Case(int subscribers, String transport, String profile, int buffer) implements Comparable<Case> {
        static Case of(Map<String, String> r) {
            String label = r.get("label");
            return new Case(
                    (int) Report.num(r, "subscribers"),
                    r.get("transport"),
                    field(label, "profile"),
                    Integer.parseInt(field(label, "buffer")));
        }

        static String field(String label, String name) {
            for (String kv : label.split(" ")) {
                if (kv.startsWith(name + "=")) {
                    return kv.substring(name.length() + 1);
                }
            }
            throw new IllegalArgumentException("label '" + label + "' has no " + name + "=");
        }

        String series() {
            return (transport.equals("ws") ? "WebSocket" : "SSE") + ", " + profile + ", N=" + subscribers;
        }

        @Override
        public int compareTo(Case o) {
            return java.util.Comparator.comparingInt(Case::subscribers)
                    .thenComparing(Case::transport)
                    .thenComparing(Case::profile, java.util.Comparator.reverseOrder())
                    .thenComparingInt(Case::buffer)
                    .compare(this, o);
        }
    }

    /** Overflows (events a full queue refused) per 1,000 deliveries in the window. */
    static double overflowsPerThousand(Map<String, String> r) {
        double d = Report.num(r, "server_deliveries");
        return d > 0 ? 1000 * Report.num(r, "server_overflows") / d : Double.NaN;
    }

    /** Overflows per subscriber-minute in the window. */
    static double overflowsPerSubscriberMinute(Map<String, String> r) {
        return Report.num(r, "server_overflows") / Report.num(r, "subscribers") / (Report.num(r, "window_s") / 60);
    }

    static String each(
            List<Map<String, String>> runs, String fmt, java.util.function.ToDoubleFunction<Map<String, String>> f) {
        return runs.stream()
                .map(r -> String.format(Locale.ROOT, fmt, f.applyAsDouble(r)))
                .collect(Collectors.joining(" / "));
    }

    static String each(List<Map<String, String>> runs, String key) {
        return runs.stream().map(r -> r.getOrDefault(key, "?")).collect(Collectors.joining(" / "));
    }

    static String table(Map<Case, List<Map<String, String>>> cases) {
        StringBuilder b = new StringBuilder();
        b.append(
                "| transport | profile | N | buffer | overflows per 1,000 deliveries | overflows per subscriber-minute | catch-ups"
                        + " | publish → receive p99 / p99.9 ms | heap KB per stream, idle · loaded | RSS KB per stream, idle · loaded"
                        + " | publishes/s (not sent) | deliveries/s | gaps / dups | load avg |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var e : cases.entrySet()) {
            Case c = e.getKey();
            List<Map<String, String>> runs = e.getValue();
            b.append("| ")
                    .append(c.transport().equals("ws") ? "WebSocket" : "SSE")
                    .append(" | ")
                    .append(c.profile())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", c.subscribers()))
                    .append(" | ")
                    .append(c.buffer())
                    .append(" | ")
                    .append(each(runs, "%.2f", BufferReport::overflowsPerThousand))
                    .append(" | ")
                    .append(each(runs, "%.1f", BufferReport::overflowsPerSubscriberMinute))
                    .append(" | ")
                    .append(each(runs, "server_catch_ups"))
                    .append(" | ")
                    .append(runs.stream()
                            .map(r -> r.get("p99_ms") + " / " + r.get("p999_ms"))
                            .collect(Collectors.joining(" · ")))
                    .append(" | ")
                    .append(runs.stream()
                            .map(r -> r.getOrDefault("heap_kb_per_idle_stream", "?") + " · "
                                    + r.getOrDefault("heap_kb_per_loaded_stream", "?"))
                            .collect(Collectors.joining(" / ")))
                    .append(" | ")
                    .append(runs.stream()
                            .map(r -> r.get("kb_per_idle_stream") + " · " + r.get("kb_per_loaded_stream"))
                            .collect(Collectors.joining(" / ")))
                    .append(" | ")
                    .append(runs.stream()
                            .map(r -> String.format(
                                    Locale.ROOT, "%.0f (%s)", Report.num(r, "publishes_per_s"), r.get("not_sent")))
                            .collect(Collectors.joining(" / ")))
                    .append(" | ")
                    .append(each(runs, "%,.0f", r -> Report.num(r, "deliveries_per_s")))
                    .append(" | ")
                    .append(runs.stream()
                            .map(r -> r.get("gaps") + " / " + r.get("duplicates")
                                    + ("true".equals(r.get("exact")) ? "" : " ✗"))
                            .collect(Collectors.joining(" · ")))
                    .append(" | ")
                    .append(each(runs, "load_avg"))
                    .append(" |\n");
        }
        return b.toString();
    }

    /** x: buffer size (log2 scale); y: overflows per 1,000 deliveries, mean of the runs (log scale; 0 drawn on the bottom line). */
    static String plot(Map<Case, List<Map<String, String>>> cases) {
        Map<String, TreeMap<Integer, Double>> series = new TreeMap<>();
        for (var e : cases.entrySet()) {
            double mean = e.getValue().stream()
                    .mapToDouble(BufferReport::overflowsPerThousand)
                    .filter(v -> !Double.isNaN(v))
                    .average()
                    .orElse(Double.NaN);
            if (!Double.isNaN(mean)) {
                series.computeIfAbsent(e.getKey().series(), k -> new TreeMap<>())
                        .put(e.getKey().buffer(), mean);
            }
        }
        int w = 640, h = 420, left = 80, right = 260, top = 40, bottom = 50;
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"
                        + "<text x=\"%d\" y=\"22\" font-size=\"14\">overflows per 1,000 deliveries against the per-subscriber buffer</text>%n",
                w + right,
                h,
                left));
        if (series.isEmpty()) {
            return s.append("<text x=\"80\" y=\"80\">no runs</text></svg>\n").toString();
        }
        int bMin = series.values().stream().mapToInt(TreeMap::firstKey).min().orElse(1);
        int bMax = series.values().stream().mapToInt(TreeMap::lastKey).max().orElse(2);
        double x0 = log2(bMin), x1 = Math.max(log2(bMax), x0 + 1);
        // y: decades from 0.01 to the largest value; a zero sits on its own line below 0.01
        double yMax = series.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToDouble(d -> d)
                .max()
                .orElse(1);
        double d0 = -2, d1 = Math.max(0, Math.ceil(Math.log10(Math.max(yMax, 1e-2))));
        int plotBottom = h - bottom - 24; // the zero line is 24 px under the lowest decade
        var sx = (java.util.function.IntToDoubleFunction) v -> left + (log2(v) - x0) / (x1 - x0) * (w - left - 20);
        var sy = (java.util.function.DoubleUnaryOperator) v ->
                v <= 0 ? h - bottom : top + (1 - (Math.max(Math.log10(v), d0) - d0) / (d1 - d0)) * (plotBottom - top);
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
        for (int v = bMin; v <= bMax; v *= 2) {
            double px = sx.applyAsDouble(v);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    px,
                    top,
                    px,
                    h - bottom,
                    px,
                    h - bottom + 16,
                    v));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">buffer (events per subscriber queue, log scale)</text>%n",
                (left + w - 20) / 2,
                h - 12));
        for (double e = d0; e <= d1; e++) {
            double py = sy.applyAsDouble(Math.pow(10, e));
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left,
                    py,
                    w - 20,
                    py,
                    left - 6,
                    py + 4,
                    e < 0
                            ? String.format(Locale.ROOT, "%.2f", Math.pow(10, e))
                            : String.format(Locale.ROOT, "%,.0f", Math.pow(10, e))));
        }
        s.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", left - 6, h - bottom + 4));
        int i = 0;
        for (var e : series.entrySet()) {
            String color = Report.COLORS[i % Report.COLORS.length];
            String dash = e.getKey().contains("WebSocket") ? " stroke-dasharray=\"6,4\"" : "";
            StringBuilder pts = new StringBuilder();
            for (var p : e.getValue().entrySet()) {
                double px = sx.applyAsDouble(p.getKey()), py = sy.applyAsDouble(p.getValue());
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                s.append(String.format(
                        Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(),
                    color,
                    dash));
            int ly = top + 10 + i * 18;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    w,
                    ly,
                    w + 24,
                    ly,
                    color,
                    dash,
                    w + 30,
                    ly + 4,
                    e.getKey()));
            i++;
        }
        return s.append("</svg>\n").toString();
    }

    static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }
}
