package io.wirehub.http.admin;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.http.ApiError;
import io.wirehub.http.Json;
import io.wirehub.hub.Hub;
import java.util.List;

/**
 * {@code GET /v1/admin/subscribers?slowest=N}: the N slowest subscribers of this instance (see
 * {@link SlowestSubscribers}). Unauthenticated for now, like /metrics: keep /v1/admin off the
 * public listener (the security work puts it behind an admin claim).
 */
public final class AdminService {
    // NOTE: clients branch on this code.
    static final String INVALID_SLOWEST = "invalid_slowest";
    static final int DEFAULT_SLOWEST = 10;
    static final int MAX_SLOWEST = 1000; // one answer stays small whatever the instance holds

    private final Hub hub;

    public AdminService(Hub hub) {
        this.hub = hub;
    }

    public void subscribers(ServerRequest req, ServerResponse res) {
        int slowest = slowest(req.query().first("slowest").orElse(null));
        List<SlowestSubscribers.View> views = SlowestSubscribers.of(hub, slowest);
        StringBuilder out = new StringBuilder(256 + views.size() * 300);
        out.append("{\"subscribers_total\":").append(hub.subscribers().size()).append(",\"slowest\":");
        SlowestSubscribers.appendJson(out, views);
        Json.send(res, out.append('}').toString());
    }

    static int slowest(String value) {
        if (value == null) {
            return DEFAULT_SLOWEST;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_SLOWEST) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest(
                INVALID_SLOWEST,
                "slowest=" + (value.length() > 20 ? value.substring(0, 20) + "..." : value)
                        + " is not a count from 1 to " + MAX_SLOWEST + "; e.g. ?slowest=10");
    }
}
