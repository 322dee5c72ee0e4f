package io.wirehub.http.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.metrics.Metrics;
import java.io.ByteArrayOutputStream;

/** {@code GET /metrics}: every meter in the Prometheus text format (version 0.0.4). */
public final class MetricsService {
    private final Metrics metrics;

    public MetricsService(Metrics metrics) {
        this.metrics = metrics;
    }

    public void scrape(ServerRequest req, ServerResponse res) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        metrics.writeText(out);
        res.header(HeaderNames.CONTENT_TYPE, Metrics.TEXT_CONTENT_TYPE);
        res.send(out.toByteArray());
    }
}
