package io.wirehub.http.admin;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /dashboard}: a single page drawing wirehub's own stats stream, with uPlot served
 * from its WebJar on the classpath: nothing comes from a CDN, so it works offline and behind a
 * strict proxy. The few files are read once at start-up and served from memory.
 *
 * <p>Under {@code auth.mode: jwt} the page and its stats stream need an admin token (the
 * {@code access_token} query parameter, which the page passes on to its stream, or the cookie);
 * the scripts and styles need none ({@link io.wirehub.http.Guard#adminFilter}).
 */
public final class DashboardService {
    private static final Header REFERRER_POLICY = HeaderValues.create("Referrer-Policy", "no-referrer");
    private static final String UPLOT_PROPERTIES = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private record Asset(String contentType, byte[] bytes) {}

    private final Asset page;
    private final Map<String, Asset> files; // by file name

    public DashboardService() {
        String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        this.page = new Asset("text/html; charset=utf-8", read("dashboard/index.html"));
        this.files = Map.of(
                "dashboard.js", new Asset("text/javascript; charset=utf-8", read("dashboard/dashboard.js")),
                "dashboard.css", new Asset("text/css; charset=utf-8", read("dashboard/dashboard.css")),
                "uPlot.iife.min.js", new Asset("text/javascript; charset=utf-8", read(uplot + "uPlot.iife.min.js")),
                "uPlot.min.css", new Asset("text/css; charset=utf-8", read(uplot + "uPlot.min.css")));
    }

    /** The page itself. */
    public void page(ServerRequest req, ServerResponse res) {
        send(res, page);
    }

    /** One of the page's scripts and styles, by the {@code file} path parameter; any other name goes on to the 404. */
    public void file(ServerRequest req, ServerResponse res) {
        Asset asset = files.get(req.path().pathParameters().get("file"));
        if (asset == null) {
            res.next();
            return;
        }
        send(res, asset);
    }

    private static void send(ServerResponse res, Asset asset) {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, asset.contentType()));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        // The page's URL may hold an access_token: no request the page makes repeats it in a Referer.
        res.header(REFERRER_POLICY);
        res.send(asset.bytes());
    }

    private static String uplotVersion() {
        Properties properties = new Properties();
        try (InputStream in = resource(UPLOT_PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static byte[] read(String name) {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = DashboardService.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing from the classpath: " + name + " (a broken build?)");
        }
        return in;
    }
}
