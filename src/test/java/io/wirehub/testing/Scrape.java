package io.wirehub.testing;

import java.util.ArrayList;
import java.util.List;

/** One read of {@code GET /metrics}, as Prometheus would parse it: series and their values. */
public final class Scrape {
    private final List<String[]> series = new ArrayList<>(); // {name, labels, value}
    private final String text;

    private Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace > 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            String labels = brace > 0 && brace < space ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            series.add(new String[] {name, labels, line.substring(space + 1)});
        }
    }

    public static Scrape of(String base) {
        Http.Response response = Http.get(base + "/metrics");
        if (response.status() != 200) {
            throw new AssertionError("GET /metrics answered " + response.status() + ": " + response.body());
        }
        return new Scrape(response.body());
    }

    /**
     * The value of the one series with this name and these labels (pairs like {@code "reason",
     * "overflow"}; other labels may be present).
     */
    public double value(String name, String... labels) {
        Double found = null;
        for (String[] s : series) {
            if (s[0].equals(name) && hasLabels(s[1], labels)) {
                if (found != null) {
                    throw new AssertionError("several series match " + name + " " + String.join(",", labels));
                }
                found = Double.parseDouble(s[2]);
            }
        }
        if (found == null) {
            throw new AssertionError("no series " + name + " " + String.join(",", labels) + " in\n" + text);
        }
        return found;
    }

    public long count(String name, String... labels) {
        return (long) value(name, labels);
    }

    public boolean has(String name) {
        return series.stream().anyMatch(s -> s[0].equals(name));
    }

    public String text() {
        return text;
    }

    private static boolean hasLabels(String all, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!all.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                return false;
            }
        }
        return true;
    }
}
