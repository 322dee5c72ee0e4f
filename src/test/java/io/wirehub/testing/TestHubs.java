package io.wirehub.testing;

import io.wirehub.app.WireHub;
import io.wirehub.config.SettingsLoader;
import io.wirehub.hub.CloseReason;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** Starts real wirehub instances on free ports, configured through the same WH_* variables as production. */
public final class TestHubs {
    private TestHubs() {}

    /**
     * @param env WH_* variables on top of fast test defaults (port 0, short heartbeats)
     */
    public static WireHub start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>();
        all.put("WH_HOST", "127.0.0.1");
        all.put("WH_PORT", "0");
        all.put("WH_HEARTBEAT_INTERVAL", "500ms");
        all.put("WH_WRITE_TIMEOUT", "2s");
        all.put("WH_WS_PONG_TIMEOUT", "2s");
        all.putAll(env);
        return WireHub.start(SettingsLoader.load(null, all));
    }

    public static WireHub start() {
        return start(Map.of());
    }

    /** Streams each instance closed so far, by reason, summed (reasons with none left out): {@code {pong_timeout=3}}. */
    public static Map<CloseReason, Long> closes(WireHub... instances) {
        Map<CloseReason, Long> closes = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            long count = Arrays.stream(instances)
                    .mapToLong(instance -> instance.hub().stats().closes(reason))
                    .sum();
            if (count > 0) {
                closes.put(reason, count);
            }
        }
        return closes;
    }

    public static String base(WireHub hub) {
        return "http://127.0.0.1:" + hub.port();
    }
}
