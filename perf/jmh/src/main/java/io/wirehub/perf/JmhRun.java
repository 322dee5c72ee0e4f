package io.wirehub.perf;

import java.util.Collection;
import java.util.Comparator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the benchmarks with JMH's own command line (the Makefile passes short settings), then
 * prints what JMH does not: deliveries/s and bytes allocated per delivery for the pipeline, as
 * Markdown tables for docs/deployment.md.
 */
public final class JmhRun {
    private JmhRun() {}

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println("| transport | subscribers | events/s | deliveries/s | ± (99.9%) | CPU per delivery | bytes allocated per delivery |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        results.stream().filter(r -> label(r).endsWith("publishAndDrain"))
                .sorted(Comparator.comparing((RunResult r) -> r.getParams().getParam("transport"))
                        .thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("subscribers"))))
                .forEach(r -> {
                    int n = Integer.parseInt(r.getParams().getParam("subscribers"));
                    Result<?> primary = r.getPrimaryResult();
                    Result<?> cpu = r.getSecondaryResults().get("cpuNanos");
                    String cpuPerDelivery = cpu == null ? "" : String.format("%,.0f ns", cpu.getScore() / (primary.getScore() * n));
                    System.out.printf("| %s | %,d | %,.0f | %,.0f | %,.0f | %s | %s |%n", r.getParams().getParam("transport"), n,
                            primary.getScore(), primary.getScore() * n, primary.getScoreError() * n, cpuPerDelivery, perDelivery(r, n));
                });
        System.out.println();
        System.out.println("| encoding | payload | ns/op | ± (99.9%) | bytes allocated/op |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        results.stream().filter(r -> label(r).contains("FrameBench"))
                .sorted(Comparator.comparing(JmhRun::label).thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("payload"))))
                .forEach(r -> System.out.printf("| %s | %,d B | %,.1f | %,.1f | %s |%n", label(r).replaceFirst(".*\\.", ""),
                        Integer.parseInt(r.getParams().getParam("payload")), r.getPrimaryResult().getScore(),
                        r.getPrimaryResult().getScoreError(), perDelivery(r, 1)));
    }

    private static String label(RunResult result) {
        return result.getParams().getBenchmark();
    }

    /** gc.alloc.rate.norm is per operation (one event); a pipeline event makes n deliveries. */
    private static String perDelivery(RunResult result, int n) {
        Result<?> norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? "(run with -prof gc)" : String.format("%,.0f", norm.getScore() / n);
    }
}
