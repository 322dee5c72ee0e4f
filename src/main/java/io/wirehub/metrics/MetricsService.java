package io.wirehub.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;

/** {@code GET /metrics}: every meter in the Prometheus text format (version 0.0.4). */
public final class MetricsService implements HttpService {
    private final Metrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsService(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        writer.write(out, metrics.registry().scrape());
        res.header(HeaderNames.CONTENT_TYPE, writer.getContentType());
        res.send(out.toByteArray());
    }
}
