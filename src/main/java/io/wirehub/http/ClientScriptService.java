package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /v1/client.js} (and its types, {@code /v1/client.d.ts}): the official JavaScript
 * client (src/main/js), from the jar, so a page can {@code import { connect } from
 * 'https://hub.example/v1/client.js'} and always gets the client of the server it talks to.
 *
 * <p>Public, no token: it is code, not data. A module script is fetched in CORS mode, so it goes
 * out with {@code Access-Control-Allow-Origin: *} whatever {@code server.cors.allowed_origins}
 * says (no credentials: it needs none). Cached for five minutes, then revalidated by its ETag
 * (a hash of the file): an upgraded server's client reaches pages within minutes.
 */
public final class ClientScriptService {
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed, and its bytes never change
    private record Asset(String contentType, byte[] bytes, String etag) {}

    private final Asset script = asset("client/wirehub.js", "text/javascript; charset=utf-8");
    private final Asset types = asset("client/wirehub.d.ts", "application/typescript; charset=utf-8");

    public void script(ServerRequest req, ServerResponse res) {
        send(req, res, script);
    }

    public void types(ServerRequest req, ServerResponse res) {
        send(req, res, types);
    }

    private static void send(ServerRequest req, ServerResponse res, Asset asset) {
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "public, max-age=300"));
        res.header(HeaderNames.ETAG, asset.etag());
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (req.headers()
                .first(HeaderNames.IF_NONE_MATCH)
                .map(tags -> tags.contains(asset.etag()))
                .orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, asset.contentType()));
        res.send(asset.bytes());
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = ClientScriptService.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the classpath: " + name + " (a broken build?)");
            }
            byte[] bytes = in.readAllBytes();
            String hash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
            return new Asset(contentType, bytes, "\"" + hash + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
