package io.wirehub.transport.ws;

import io.helidon.http.Headers;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

/**
 * Helidon's WebSocket upgrader on its direct path: the upgrade happens before HTTP routing, and an
 * upgrade {@link WsEndpoint} refuses with {@code WsUpgradeException} falls through to
 * {@link WsRequestRoute}, which answers it in JSON (401, 403, 429, 503 with what to do).
 *
 * <p>Why not Helidon 4.5's default, the routed upgrade: it answers every such refusal with a bare
 * {@code 400}, so a client could not tell an expired token from a full server. And its Origin check
 * allows, when no origins are configured, only pages of the server's own host: wirehub decides
 * that itself from {@code server.cors.allowed_origins} ({@code Cors#allows}, in
 * {@link WsEndpoint#onHttpUpgrade}), which may be {@code *}, a list Helidon cannot express.
 */
public final class DirectWsUpgrader extends WsUpgrader {
    public DirectWsUpgrader(WsConfig config) {
        super(config);
    }

    @Override
    protected void validateOrigin(Headers headers, String origin) {
        // Checked in WsEndpoint.onHttpUpgrade against server.cors.allowed_origins.
    }
}
