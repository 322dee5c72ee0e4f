package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts this JVM's live threads, virtual ones included, grouped by name with the digits taken
 * out ({@code ws-17} and {@code ws-4} are both {@code ws-#}), so a leak names itself.
 *
 * <p>{@code Thread.getAllStackTraces()} sees platform threads only. The JDK's JSON thread dump
 * (jdk.management's {@code HotSpotDiagnosticMXBean.dumpThreads}, the same as
 * {@code jcmd Thread.dump_to_file}) lists every thread container, virtual threads included (the
 * JDK tracks all of them unless {@code -Djdk.trackAllThreads=false}), each marked
 * {@code "virtual": true}. A dump of a few thousand threads takes tens of milliseconds.
 */
public final class ThreadCensus {
    private static final HotSpotDiagnosticMXBean DIAGNOSTIC = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    /** Live threads by group name; virtual ones are prefixed {@code virtual }. */
    public static Map<String, Integer> take() {
        Map<String, Integer> groups = new TreeMap<>();
        for (JsonNode container : dump().path("threadDump").path("threadContainers")) {
            for (JsonNode thread : container.path("threads")) {
                boolean virtual = thread.path("virtual").asBoolean(false);
                String name = thread.path("name").asText("").replaceAll("[0-9]+", "#");
                groups.merge((virtual ? "virtual " : "platform ") + (name.isEmpty() ? "(unnamed)" : name), 1, Integer::sum);
            }
        }
        return groups;
    }

    public static int virtualThreads(Map<String, Integer> census) {
        return census.entrySet().stream().filter(e -> e.getKey().startsWith("virtual ")).mapToInt(Map.Entry::getValue).sum();
    }

    private static JsonNode dump() {
        Path file = null;
        try {
            file = Files.createTempDirectory("wirehub-threads").resolve("threads.json");
            DIAGNOSTIC.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return Http.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(file.getParent());
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private ThreadCensus() {}
}
