package io.wirehub.perf;

import java.util.Collection;
import java.util.Comparator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the benchmarks with JMH's own command line (the Makefile passes short settings), then
 * prints what JMH does not: deliveries/s, CPU and bytes allocated per delivery for the pipeline,
 * CPU and bytes per frame, as Markdown tables for perf/results/README.md.
 */
public final class JmhRun {
    private JmhRun() {}

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println(
                "| transport | subscribers | events/s | deliveries/s | ± (99.9%) | CPU per delivery | bytes allocated per delivery |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        results.stream()
                .filter(r -> label(r).endsWith("publishAndDrain"))
                .sorted(Comparator.comparing((RunResult r) -> r.getParams().getParam("transport"))
                        .thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("subscribers"))))
                .forEach(r -> {
                    int n = Integer.parseInt(r.getParams().getParam("subscribers"));
                    Result<?> primary = r.getPrimaryResult();
                    System.out.printf(
                            "| %s | %,d | %,.0f | %,.0f | %,.0f | %s | %s |%n",
                            r.getParams().getParam("transport"),
                            n,
                            primary.getScore(),
                            primary.getScore() * n,
                            primary.getScoreError() * n,
                            cpuPerOp(r, primary.getScore() * n),
                            perDelivery(r, n));
                });
        System.out.println();
        System.out.println("| encoding | payload | wall ns/op | CPU ns/op | bytes allocated/op |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        results.stream()
                .filter(r -> label(r).contains("FrameBench"))
                .sorted(Comparator.comparing(JmhRun::label)
                        .thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("payload"))))
                .forEach(r -> {
                    double opsPerSecond = r.getPrimaryResult().getScore();
                    System.out.printf(
                            "| %s | %,d B | %,.0f | %s | %s |%n",
                            label(r).replaceFirst(".*\\.", ""),
                            Integer.parseInt(r.getParams().getParam("payload")),
                            1e9 / opsPerSecond,
                            cpuPerOp(r, opsPerSecond),
                            perDelivery(r, 1));
                });
    }

    private static String label(RunResult result) {
        return result.getParams().getBenchmark();
    }

    /** The CPU time the benchmark counted ({@link CpuTime}), per op at the given ops rate. */
    private static String cpuPerOp(RunResult result, double opsPerSecond) {
        Result<?> cpu = result.getSecondaryResults().get("cpuNanos");
        return cpu == null ? "" : String.format("%,.0f ns", cpu.getScore() / opsPerSecond);
    }

    /** gc.alloc.rate.norm is per operation (one event); a pipeline event makes n deliveries. */
    private static String perDelivery(RunResult result, int n) {
        Result<?> norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? "(run with -prof gc)" : String.format("%,.0f", norm.getScore() / n);
    }
}
