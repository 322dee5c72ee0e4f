import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns the runs of perf/multi.sh ({@code results.jsonl}, labelled {@code setup=single|multi}) into
 * {@code multi.md}: per transport, subscribers and rate, one instance against two (publish on A,
 * serve on B) with each run's figures side by side and the ratio of the means. Also writes
 * {@code runs.md} through Report. Prints the table.
 *
 * <p>Run: {@code java perf/MultiReport.java perf/results/<run>} (Report.java next to it is found by
 * the JDK's multi-file source launcher).
 */
public class MultiReport {

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java perf/MultiReport.java RESULTS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<Map<String, String>> all = new ArrayList<>();
        // "transport subscribers rate" -> setup -> runs
        Map<String, Map<String, List<Map<String, String>>>> cases = new TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> r = Report.parse(line);
            all.add(r);
            String key = String.format(
                    Locale.ROOT, "%s|%06d|%05d", r.get("transport"), (int) Report.num(r, "subscribers"), (int)
                            Report.num(r, "rate_target"));
            cases.computeIfAbsent(key, k -> new TreeMap<>())
                    .computeIfAbsent(r.get("label").replace("setup=", ""), k -> new ArrayList<>())
                    .add(r);
        }
        Files.writeString(dir.resolve("runs.md"), Report.runsTable(all));
        StringBuilder b = new StringBuilder();
        b.append(
                "| transport | N | publisher | setup | deliveries/s | publishes/s | latency p50 / p99 / p99.9 ms | server CPU cores (µs/delivery)"
                        + " | gaps / dups | load avg | multi / single: deliveries/s, p99 |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var e : cases.entrySet()) {
            String[] k = e.getKey().split("\\|");
            int rate = Integer.parseInt(k[2]);
            List<Map<String, String>> single = e.getValue().getOrDefault("single", List.of());
            List<Map<String, String>> multi = e.getValue().getOrDefault("multi", List.of());
            String ratio = String.format(
                    Locale.ROOT,
                    "**%.2f**, %.2f",
                    mean(multi, r -> Report.num(r, "deliveries_per_s"))
                            / mean(single, r -> Report.num(r, "deliveries_per_s")),
                    mean(multi, r -> Report.num(r, "p99_ms")) / mean(single, r -> Report.num(r, "p99_ms")));
            for (var s : e.getValue().entrySet()) {
                List<Map<String, String>> runs = s.getValue();
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        k[0].equals("ws") ? "WebSocket" : "SSE",
                        Integer.parseInt(k[1]),
                        rate == 0 ? "saturation" : rate + " ev/s",
                        s.getKey().equals("multi") ? "A → Redis → B" : "one instance",
                        each(runs, r -> String.format(Locale.ROOT, "%,.0f", Report.num(r, "deliveries_per_s"))),
                        each(runs, r -> String.format(Locale.ROOT, "%,.0f", Report.num(r, "publishes_per_s"))),
                        each(runs, r -> r.get("p50_ms") + " / " + r.get("p99_ms") + " / " + r.get("p999_ms")),
                        each(runs, r -> r.get("server_cpu_cores") + " (" + r.get("server_cpu_us_per_delivery") + ")"),
                        each(
                                runs,
                                r -> r.get("gaps") + " / " + r.get("duplicates")
                                        + ("true".equals(r.get("exact")) ? "" : " ✗")),
                        each(runs, r -> r.get("load_avg")),
                        s.getKey().equals("multi") ? ratio : ""));
            }
        }
        Files.writeString(dir.resolve("multi.md"), b.toString());
        System.out.print(b);
    }

    static String each(List<Map<String, String>> runs, java.util.function.Function<Map<String, String>, String> f) {
        return runs.stream().map(f).collect(Collectors.joining(" · "));
    }

    static double mean(List<Map<String, String>> runs, ToDoubleFunction<Map<String, String>> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
