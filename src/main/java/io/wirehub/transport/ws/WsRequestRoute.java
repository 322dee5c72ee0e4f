package io.wirehub.transport.ws;

import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.Grant;
import io.wirehub.http.ApiError;
import io.wirehub.http.Guard;
import io.wirehub.http.StreamQuota;
import io.wirehub.transport.StreamRequest;
import java.util.List;

/**
 * The plain HTTP side of {@code /v1/ws}: a request that was not upgraded (invalid parameters, or
 * no {@code Upgrade: websocket} header, no valid token, a topic the token does not permit) lands
 * here and gets a JSON error explaining why.
 */
public final class WsRequestRoute {
    private final StreamQuota quota;
    private final Guard guard;
    private final int maxTopics;
    private final String storeEpoch;

    public WsRequestRoute(Guard guard, StreamQuota quota, int maxTopics, String storeEpoch) {
        this.quota = quota;
        this.guard = guard;
        this.maxTopics = maxTopics;
        this.storeEpoch = storeEpoch;
    }

    static StreamRequest parse(UriQuery query, int maxTopics, String storeEpoch) {
        return StreamRequest.parse(
                query.all("topic", List::of), query.first("lastEventId").orElse(null), maxTopics, storeEpoch, false);
    }

    public void refuse(ServerRequest req, ServerResponse res) {
        // The same checks as the upgrade, in the same order: each throws the 401/400/403 that explains what is wrong.
        Grant grant = guard.reader(req.prologue(), req.headers());
        grant.requireSubscribe(parse(req.query(), maxTopics, storeEpoch).topics());
        quota.check(grant.subject(), req.remotePeer().host());
        throw new ApiError(
                426,
                "upgrade_required",
                "this endpoint speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)");
    }
}
