package io.wirehub.transport.ws;

import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.http.ApiError;
import io.wirehub.transport.StreamRequest;
import java.util.List;

/**
 * The plain HTTP side of {@code /v1/ws}: a request that was not upgraded (invalid parameters, or
 * no {@code Upgrade: websocket} header) lands here and gets a JSON error explaining why.
 */
public final class WsRequestRoute implements HttpService {
    private final int maxTopics;
    private final String storeEpoch;

    public WsRequestRoute(int maxTopics, String storeEpoch) {
        this.maxTopics = maxTopics;
        this.storeEpoch = storeEpoch;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/ws", this::refuse);
    }

    static StreamRequest parse(UriQuery query, int maxTopics, String storeEpoch) {
        return StreamRequest.parse(query.all("topic", List::of), query.first("lastEventId").orElse(null), maxTopics, storeEpoch);
    }

    private void refuse(ServerRequest req, ServerResponse res) {
        parse(req.query(), maxTopics, storeEpoch); // throws the 400 that explains what is wrong
        throw new ApiError(426, "upgrade_required", "this endpoint speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)");
    }
}
